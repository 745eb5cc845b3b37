"""What `vaultward serve` runs: the dashboard (app.py) on Streamlit's server, with the password
login's cookie routes beside Streamlit's own (`streamlit run` finds the `App` here)."""

import streamlit as st

from dashboard.login_routes import routes

app = st.App("app.py", routes=routes())
