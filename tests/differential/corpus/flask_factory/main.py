from app_factory import create_app

app = create_app()
testing = create_app("testing")
