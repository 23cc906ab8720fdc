"""The two JSON secrets, apart so that each is readable only by the functions that use it (issue 14.5).

- `retail-sync/<env>/webhooks` (`WEBHOOK_SECRETS_ARN`): what proves a delivery is the vendor's:
  the signing secret per source, eBay's endpoint verification token, and eBay's application
  keyset (`ebay_client_id`, `ebay_client_secret`), because verifying an eBay notification means
  fetching eBay's public key with an application token (client credentials grant,
  `https://api.ebay.com/oauth/api_scope`: public data only, no seller's account). Read by the
  public-facing ingest function and nothing else.
- `retail-sync/<env>/vendor-credentials` (`VENDOR_CREDENTIALS_ARN`): what lets us act on a vendor
  account: the long-lived API credentials every connector mints its tokens from (LWA refresh
  token, Walmart and Zalando client credentials, eBay's keyset and user refresh token, the ERP's
  M2M certificate) and the tokens that do not expire (Square, Shopify, Loop). Read by the
  functions that call a vendor, never by ingest: a flaw at the public edge cannot reach them.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra import constants as c
from infra.shared.logical_ids import pin_logical_id
from infra.shared.nag import acknowledge_resource


class JsonSecret(Construct):
    """One JSON secret whose keys the template fixes (values pasted in after deploy), granted by name."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        secret_name: str,
        keys: tuple[str, ...],
        description: str,
        arn_variable: str,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.secret_name = secret_name
        self.keys = keys
        self.arn_variable = arn_variable
        self.secret = secretsmanager.Secret(
            self,
            construct_id,
            secret_name=secret_name,
            description=description,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(dict.fromkeys(keys, "")),
                generate_string_key="_unused",
                exclude_punctuation=True,
            ),
            removal_policy=removal_policy,
        )
        pin_logical_id(self.secret, construct_id)
        acknowledge_resource(
            self.secret,
            "AwsSolutions-SMG4",
            "Vendor-issued secrets and credentials rotate on the vendor side (Shopify, Square, Amazon, ... "
            "issue them); a Secrets Manager rotation Lambda cannot mint them",
        )

    def grant_to(self, fn: lambda_.Function) -> iam.Grant:
        """``fn`` finds the secret through its variable and may read it (nothing else may)."""
        fn.add_environment(self.arn_variable, self.secret.secret_arn)
        return self.grant_read(fn)

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read the secret, addressed by its name-based ARN (`<name>-??????`) rather than a `Ref`:
        the same secret on AWS, and a policy moto's CloudFormation can create even though it
        skips `AWS::SecretsManager::Secret` (the local stack creates the secret itself)."""
        arn = cdk.Stack.of(self).format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name=f"{self.secret_name}-??????",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            resource_arns=[arn],
        )


class SecretsConstruct(Construct):
    """The signing secrets (the public edge's) and the vendor credentials (the connectors')."""

    def __init__(
        self, scope: Construct, construct_id: str, *, environment: str, removal_policy: cdk.RemovalPolicy
    ) -> None:
        super().__init__(scope, construct_id)
        self.signing = JsonSecret(
            self,
            c.ID_WEBHOOK_SECRETS,
            secret_name=f"{c.SERVICE}/{environment}/webhooks",
            keys=c.SECRET_KEYS_SIGNING,
            description="Webhook signing secrets per source "
            + ", ".join(f'"{source}"' for source in c.WEBHOOK_SOURCES)
            + ", eBay's endpoint \"ebay_verification_token\", and eBay's application keyset "
            '"ebay_client_id", "ebay_client_secret" (its notification public-key lookup). '
            "Read by the ingest function only.",
            arn_variable=c.ENV_WEBHOOK_SECRETS_ARN,
            removal_policy=removal_policy,
        )
        self.vendor = JsonSecret(
            self,
            c.ID_VENDOR_CREDENTIALS,
            secret_name=f"{c.SERVICE}/{environment}/vendor-credentials",
            keys=c.SECRET_KEYS_VENDOR_API,
            description="Vendor API credentials the connectors mint their tokens from, and the tokens that "
            'do not expire: "' + '", "'.join(c.SECRET_KEYS_VENDOR_API) + '" ("erp_private_key": PEM of the '
            "NetSuite M2M certificate). Read by the functions that call a vendor, never by ingest.",
            arn_variable=c.ENV_VENDOR_CREDENTIALS_ARN,
            removal_policy=removal_policy,
        )

    def grant_signing_secrets(self, fn: lambda_.Function) -> iam.Grant:
        """The public edge: verifies deliveries, never acts on a vendor account."""
        return self.signing.grant_to(fn)

    def grant_vendor_credentials(self, fn: lambda_.Function) -> iam.Grant:
        """A function that calls a vendor mints its tokens from this secret (`VENDOR_CREDENTIALS_ARN`)."""
        return self.vendor.grant_to(fn)
