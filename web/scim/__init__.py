"""SCIM 2.0 provisioning (RFC 7643, RFC 7644) at /scim/v2/: Users and Groups for the scim role.
What is read and what is never read: docs/intake.md, "SCIM 2.0 provisioning"."""
