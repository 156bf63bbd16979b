"""Helpers for feedback tests: walking the public pages as a person would."""

import re


def start_url(token: str) -> str:
    return f"/f/{token}/"


def answer_all(client, token: str, answers: dict, anonymous: bool = False):
    """Answer a link's questions through the pages (one per page or all at once), then send from the
    check page; returns the final response (followed)."""
    start = client.get(start_url(token))
    assert start.status_code == 200, start.content.decode()[:500]
    first = re.search(r'href="(/f/[^"]+/questions/[^"]*)"', start.content.decode()).group(1)
    if first.endswith("/questions/"):
        response = client.post(first, answers)
        assert response.status_code == 302, response.content.decode()[:3000]
    else:
        number = 1
        while True:
            page = client.get(f"/f/{token}/questions/{number}/")
            if page.status_code == 302:
                break
            code = page.context["question"].code
            response = client.post(f"/f/{token}/questions/{number}/", {code: answers.get(code, "")})
            assert response.status_code == 302, response.content.decode()[:3000]
            if response.url.endswith("/check/"):
                break
            number += 1
    data = {"anonymous": "on"} if anonymous else {}
    return client.post(f"/f/{token}/check/", data, follow=True)
