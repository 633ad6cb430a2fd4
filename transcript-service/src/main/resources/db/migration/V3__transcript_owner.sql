-- Who may upload a session's transcript with a user token: the first user who did (the first writer). A
-- request with another user's token is refused for that session's offset and its writes. NULL until a user
-- token uploads (uploads with the service token leave it as it is).
ALTER TABLE sessions ADD COLUMN transcript_owner text;
