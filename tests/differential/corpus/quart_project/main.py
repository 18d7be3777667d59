from qapp import create_app

app = create_app()
