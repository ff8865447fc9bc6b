"""What a locked-out login sees (django-axes).

The phone app's login mutation already answers with a typed ``locked_out``
error, so GraphQL keeps its own response; the admin gets a page in the
user's language.
"""

from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    if request.path_info.startswith("/graphql") and original_response is not None:
        return original_response
    return render(request, "accounts/lockout.html", status=429)
