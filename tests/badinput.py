"""Shared by the bad-input tests: ids a form or a query string may carry that name no row, and a
picture of the tables an endpoint could write, to show that a refused request changed nothing."""

from django.forms.models import model_to_dict

from weft.audit.models import AuditRecord

# A word, a float, a negative, nothing, digits of another script, and past any 64-bit id.
BAD_IDS = ["abc", "1e9", "-1", "", "²", "99999999999999999999", "1; DROP TABLE x"]


def state(*models) -> dict:
    """Every row of `models` (and the audit trail), to compare before and after a request."""
    return {
        model.__name__: [model_to_dict(row) for row in model.objects.order_by("pk")]
        for model in (*models, AuditRecord)
    }
