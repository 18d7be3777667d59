from django.http import JsonResponse


def me(request):
    token = request.META.get("HTTP_AUTHORIZATION", "")
    if not token.startswith("Bearer "):
        return JsonResponse({"error": "unauthorized"}, status=401)
    return JsonResponse({"user": "alice", "email": "alice@example.com"})


def legacy_widget(request):
    response = JsonResponse({"widget": "ok"})
    origin = request.META.get("HTTP_ORIGIN", "")
    if origin.endswith("example-shop.com"):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Credentials"] = "true"
    return response
