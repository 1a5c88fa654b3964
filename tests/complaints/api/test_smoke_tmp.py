import pytest
from complaints.workflow import Status
from tests.complaints.services.helpers import make_complaint

pytestmark = pytest.mark.django_db

def test_smoke(customer, customer_client, agent_client, category):
    r = customer_client.post("/api/complaints/", {"category": category.pk, "title": "t", "description": "d", "priority": "urgent"})
    assert r.status_code == 201, r.content
    print(r.json())
    cid = r.json()["id"]
    r = agent_client.get("/api/complaints/")
    print(r.json())
    assert r.status_code == 200
    for st in Status:
        make_complaint(customer=customer, status=st)
    r = agent_client.get("/api/complaints/?status=new,resolved&ordering=-priority,created")
    assert r.status_code == 200, r.content
    r = agent_client.get("/api/complaints/?status=bogus&overdue=maybe&assignee=x&created_after=foo&ordering=title")
    print(r.json())
    assert r.status_code == 400
