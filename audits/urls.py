"""/audits/…: the lists (urls_lists.py) and the grading journey (urls_grading.py)."""

from . import urls_grading, urls_lists, urls_programmes

app_name = "audits"

urlpatterns = urls_lists.urlpatterns + urls_programmes.urlpatterns + urls_grading.urlpatterns
