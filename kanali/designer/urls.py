"""Designer URLs; each part of the app keeps its routes in its own module.

The examples come first: ``design/example/`` must not be read as a step key.
"""

from django.urls import include, path

app_name = "designer"

urlpatterns = [
    path("", include("kanali.designer.urls_examples")),
    path("", include("kanali.designer.urls_steps")),
    path("", include("kanali.designer.urls_publishing")),
]
