from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.partner_list, name="list"),
    path("<int:pk>/", views.partner_detail, name="detail"),
    path("charity-logo/", views.charity_logo, name="charity_logo"),
]
