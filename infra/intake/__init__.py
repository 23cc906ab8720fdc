"""Constructs of the pulled channels: Amazon SP-API (partner bus rule, backup poll), Zalando (poll),
franchise POS nightly files (bucket -> queue -> import)."""
