"""Loading the example designs: one step, or every step at once.

``kanali/designer/urls.py`` includes these before the step pages, so
``design/example/`` is not read as a step called "example".
"""

from django.urls import path

from kanali.designer.views import examples

urlpatterns = [
    path(
        "v/<slug:vendor_slug>/programs/<int:program_id>/design/example/",
        examples.load_example_all,
        name="load_example_all",
    ),
    path(
        "v/<slug:vendor_slug>/programs/<int:program_id>/design/<slug:step>/example/",
        examples.load_example,
        name="load_example",
    ),
]
