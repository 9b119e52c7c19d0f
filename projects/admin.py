"""Django's admin looks for `projects.admin`: the staff's back office lives in
`projects/review/admin.py`."""

from projects.review import (
    admin,  # noqa: F401
    results_admin,  # noqa: F401
)
