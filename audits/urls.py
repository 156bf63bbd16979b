"""/audits/…: the lists (urls_lists.py) and the grading journey (urls_grading.py)."""

from . import urls_calibration, urls_grading, urls_lists

app_name = "audits"

urlpatterns = urls_lists.urlpatterns + urls_calibration.urlpatterns + urls_grading.urlpatterns
