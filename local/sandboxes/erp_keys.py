"""The local ERP's OAuth 2.0 client-credentials (M2M) certificate: a fixed RSA key pair, local only.

NetSuite's machine-to-machine flow has the integration sign a JWT with the private half of a
certificate whose public half is uploaded in "OAuth 2.0 Client Credentials (M2M) Setup" and named by its
certificate id (the JWT's ``kid``). The ERP sandbox (``local/sandboxes/erp.py``) registers
``PUBLIC_KEY_PEM`` under ``CERTIFICATE_ID`` for ``CLIENT_ID``; ``make local`` puts ``PRIVATE_KEY_PEM`` in
the local vendor secret (``erp_private_key``). This key protects nothing: it is published here on purpose.
"""

from __future__ import annotations

CLIENT_ID = "local-erp-client-id"
CERTIFICATE_ID = "local-erp-certificate-id"

PRIVATE_KEY_PEM = """-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDOmW+Tpfelkeib
9QUFClKTflLl+7dmgJOxqtIEWr0ZssQHs52p27HGhJ2J+/gF1bj2iJIlfkU35s3C
vu+znWX9ERHpFHrAfUIQWYOOyR6Ef3DMz7npftWm1Qr1fO/Z2ljNkiOM6Kla5f6C
eoczXu+4ZZsaOgGoNhdfERDyY3WqTLA/sbZncEZ48w/rm5LZdV3vqOmSeGqL5aRB
+Pe2WPVyKOvGNQSxa64qSyS/WWvGZtUayViU4atjNFfRDnZmT6+HYFkfZ1n5MJoC
qjGnTTGjX85pY2RqLYRYWz/4dNHbF1dHWnz36iULwfNBYJ4Ewym7BlMtwQtpk290
nXD9uKKVAgMBAAECggEAGzqau4V0wbQcya0915+4KWtNRrVpww8wKArg+iTxZlkq
v+8a2P+1CvqAfuagFjjIU2nFhT6Cpe778G5UzkHw5q0gxKznzsXTdq8tiRyVspXP
SpcYJB+MzhunAZrRS8+cw58+ozwo0eudIxo+BnW9N3rgudCqVj6mzudDagbUw7hy
FYdtfUAtG8NavaFG+ht7s0bf8Bor0VS/Sf9lsmKVICeBkIseel+g4qw2vD4HsVS8
1V0rlfKU847IM71yGB3uG5Q4z7xb8jpJIiY3ug4+BF6BlEDFM3Gcuo9shRvdCFN4
qF6sbpoDu9BJejEL1dSHwz861pWzPhRbVMwdLsi0oQKBgQDwkmo12FpTWe+FQ8SH
sBm3NSmaCvcjB4hHSUNdB/23lKsPGIKX1P3CXN6VVMfXro1UHzPRQfgnM/09r5U6
vH0mc0MwGXadSBhO1vgu3FVIVmz4P8CWELdiBmdOv9d+02ru9FnZIvTEcuEJIDS3
6x87DBBiwwq9bl+VRVYzSyJbZQKBgQDb2UbhFdS4XX4FehAynQl/+AYksB70/Uli
Km/Qt81/IuaCDuej1xOXS4RRZk7GoWNFrHb86PNb9hSnn3YREkgS7PO6sjyt+U0v
58xzrTo1uCoCds2xo3VygE1ygIUx1F6fXflASKcfXlt5iN/3Bvjm/7mbqDXT/zcw
cS4ygx/vcQKBgDBuqadReU3Si2Ae9pACqgqyTz/N+Vc6CvufCkrOcwvkiFOvsYrz
vGrG26DgwqLvZ1CKP5pfV6A83Tzv/nEmxWNaTSp/1dtwSkSFDs4QWbMIg0OvQgx0
LRc1BtNZ1/6Wfa7BztziJrjuD9QQgcyNL2pp0VqwvZbJg8C/hs0o0S/pAoGBAMZx
dX0uy3gvS9V9vKky/qQ4KLNtFkRlbJvjWlK31hHwWskC0ywcs15Zl/IxuuGoQ4dc
iXr4etKDaVl0oon+Snhq0gWvZP5Ujcu0G+Q+dNCQj7rxqfGybg0Qqte0EoZL/60y
kg3ohpHWBhPJ7P95l6pLIirSxuO49wQO5XhKy8TBAoGAJxFEEr2h0zZdJXqJLgcR
VbW3cS11HOJJd3sbeYwf9cY6Gej1jsNKtYuEbl0v+/JwOzK4jDZm+DRuH9NeNRMu
fPQ2LZGfShN6/UFVLMxb7EqOPV1Po8zRtxAmY4gOe8fXLsFgZ5TyxSNw5WTq5I1B
KCLrOwmR7KD1DIISizHWmH8=
-----END PRIVATE KEY-----
"""

PUBLIC_KEY_PEM = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzplvk6X3pZHom/UFBQpS
k35S5fu3ZoCTsarSBFq9GbLEB7OdqduxxoSdifv4BdW49oiSJX5FN+bNwr7vs51l
/RER6RR6wH1CEFmDjskehH9wzM+56X7VptUK9Xzv2dpYzZIjjOipWuX+gnqHM17v
uGWbGjoBqDYXXxEQ8mN1qkywP7G2Z3BGePMP65uS2XVd76jpknhqi+WkQfj3tlj1
cijrxjUEsWuuKkskv1lrxmbVGslYlOGrYzRX0Q52Zk+vh2BZH2dZ+TCaAqoxp00x
o1/OaWNkai2EWFs/+HTR2xdXR1p89+olC8HzQWCeBMMpuwZTLcELaZNvdJ1w/bii
lQIDAQAB
-----END PUBLIC KEY-----
"""
