"""User admin. Forms go through the account services so the blind index and role groups stay
in sync; search is an exact match on the email's blind index (the column is encrypted)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.blind_index import email_blind_indexes
from accounts.erasure import user_erase
from accounts.models import User
from accounts.personal_data import personal_data_renamed
from accounts.services import (
    normalize_phone,
    user_create,
    user_revoke_refresh_tokens,
    user_set_role,
)


def _clean_phone(form: forms.ModelForm) -> str:
    try:
        return normalize_phone(form.cleaned_data.get("phone") or "")
    except ValidationError as exc:
        raise ValidationError(exc.message_dict["phone"]) from exc


def _email_taken(email: str, *, exclude_pk=None) -> bool:
    qs = User.objects.filter(email_hash__in=email_blind_indexes(email))
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


class UserAddForm(forms.ModelForm):
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password (again)", strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ["email", "full_name", "phone", "role"]

    def clean_phone(self) -> str:
        return _clean_phone(self)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if _email_taken(email):
            raise ValidationError("A user with this email address already exists.")
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
        elif p1:
            candidate = User(
                email=cleaned.get("email") or "", full_name=cleaned.get("full_name", "")
            )
            try:
                validate_password(p1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "phone", "role", "is_active"]

    def clean_phone(self) -> str:
        return _clean_phone(self)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if _email_taken(email, exclude_pk=self.instance.pk):
            raise ValidationError("A user with this email address already exists.")
        return email


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserChangeForm
    add_form = UserAddForm
    list_display = ["__str__", "role", "is_active", "date_joined", "erased_at"]
    list_filter = ["role", "is_active"]
    ordering = ["-date_joined"]
    date_hierarchy = "date_joined"
    # The box needs a search field; get_search_results replaces the lookup entirely.
    search_fields = ["email"]
    search_help_text = "Exact email address (case-insensitive)."
    readonly_fields = ["id", "date_joined", "last_login", "erased_at"]
    actions = ["erase_users"]

    def get_form(
        self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any
    ) -> "type[forms.ModelForm[User]]":
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["email", "full_name", "phone", "role", "password1", "password2"]
        return [*UserChangeForm.Meta.fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(email_hash__in=email_blind_indexes(term)), False

    def save_model(self, request, obj, form, change):
        if not change:
            created = user_create(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data.get("phone") or "",
                role=form.cleaned_data["role"],
            )
            # The admin keeps using ``obj`` (log entry, redirect): make it the saved user.
            obj.__dict__.update(created.__dict__)
            return
        obj.save()  # email_hash, is_staff and is_superuser are derived in User.save()
        if "full_name" in form.changed_data:
            personal_data_renamed(user=obj, old_name=form.initial.get("full_name") or "")
        if "role" in form.changed_data:
            user_set_role(user=obj, role=obj.role)
        if "is_active" in form.changed_data and not obj.is_active:
            user_revoke_refresh_tokens(user=obj)

    @admin.action(description="Erase selected users (GDPR)", permissions=["delete"])
    def erase_users(self, request, queryset):
        count = 0
        for user in queryset:
            if user.erased_at is None:
                user_erase(user=user)
                count += 1
        self.message_user(request, f"Erased {count} user(s).", messages.SUCCESS)
