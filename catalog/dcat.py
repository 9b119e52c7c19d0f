from django.http import JsonResponse


def catalog_jsonld(request):
    raise NotImplementedError
