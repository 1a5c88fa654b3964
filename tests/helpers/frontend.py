"""Where the Streamlit app lives, for AppTest and for the browser test's server."""

from pathlib import Path

APP_PATH = Path(__file__).resolve().parents[2] / "streamlit_frontend" / "app.py"
