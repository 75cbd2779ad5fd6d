"""The web adapter: the Flask application (flask_app.py: the API, the pages, errors as the contract
shapes them) and the pages themselves (pages.py, serving the UI folders at the top of the project)."""
