-- Security events and operators name users by email: find them by it.

CREATE INDEX users_email ON users (lower(email));
