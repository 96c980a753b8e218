from django.urls import path

from ..views import signing as views

app_name = "signing"

urlpatterns = [
    path("", views.sign_page, name="page"),
    path("<str:token>/", views.sign_link, name="link"),
]
