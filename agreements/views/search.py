"""The top bar's search for staff: every kind of record, grouped, with highlighted snippets."""

from __future__ import annotations

from django.shortcuts import render

from accounts.permissions import staff_required

from ..search import search


def results_page(request, *, action: str):
    """The search page for this user; the engine decides what they may see (agreements.search)."""
    text = request.GET.get("q", "").replace("\x00", "")
    results = search(user=request.user, text=text)
    context = {"q": text[:200], "results": results, "action": action, "searched": bool(text.strip())}
    return render(request, "agreements/search.html", context)


@staff_required
def search_view(request):
    return results_page(request, action="agreements:search")
