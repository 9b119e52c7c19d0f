from django.shortcuts import render


def directory(request):
    """The public directory. Applications arrive with the sponsor's side of the portal;
    until the first is submitted, the page explains what the directory will list."""
    return render(request, "projects/directory.html")
