from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.partner_list, name="list"),
    path("new/", views.partner_edit, name="create"),
    path("<int:pk>/", views.partner_detail, name="detail"),
    path("<int:pk>/edit/", views.partner_edit, name="edit"),
    path("<int:pk>/contacts/<int:contact_pk>/invite/", views.contact_invite, name="contact_invite"),
    path("charity-logo/", views.charity_logo, name="charity_logo"),
]
