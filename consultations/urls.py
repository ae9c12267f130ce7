from django.urls import path

from consultations.views import api, booking, staff

app_name = "consultations"

urlpatterns = [
    path("request/", booking.request_start, name="request"),
    path("request/<slug:slug>/", booking.pick_slot, name="pick-slot"),
    path("request/<slug:slug>/details/", booking.request_details, name="request-details"),
    path("my-consultation/<str:token>/", booking.my_consultation, name="my-consultation"),
    path("my-consultation/<str:token>/sent/", booking.request_sent, name="request-sent"),
    path("my-consultation/<str:token>/cancel/", booking.cancel, name="cancel"),
    path("my-consultation/<str:token>/reschedule/", booking.reschedule, name="reschedule"),
    path("api/slots/", api.slots, name="api-slots"),
    path("desk/", staff.desk_today, name="desk-today"),
    path("surgeon/", staff.surgeon_home, name="surgeon-home"),
]
