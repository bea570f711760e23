"""Use cases of access: the admin issues person tokens; a token names its person."""

from __future__ import annotations

from domain.access import AccessToken, access_token_id, new_token, token_hash
from domain.use_case_base import UseCaseBase, require_admin


class TokenUseCases(UseCaseBase):
    def issue_token(self, actor_id: str, person_id: str) -> tuple[str, int]:
        """A new token for a person, returned once; only its hash is stored."""
        require_admin(actor_id, "issue tokens")
        person = self._known_person(person_id, "personId")
        token = new_token()
        digest = token_hash(token)
        access = AccessToken(
            id=access_token_id(digest),
            person_id=str(person.id),
            token_hash=digest,
            actor_id=actor_id,
            timestamp=self._now(),
        )
        return token, self._save(access)

    def authenticate(self, token: str) -> str | None:
        """The person id a token was issued to, or None: one get by id, no scan."""
        digest = token_hash(token)
        access = self._get(AccessToken, access_token_id(digest), "token")
        if access is None or not access.matches(digest):
            return None
        return access.person_id
