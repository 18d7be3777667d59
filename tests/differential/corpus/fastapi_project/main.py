from app.main import app

APP = app
