"""Vendor webhook signing secrets: one JSON secret `retail-sync/<env>/webhooks`."""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra import constants as c
from infra.shared.nag import acknowledge_resource


class WebhookSecretsConstruct(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, environment: str, removal_policy: cdk.RemovalPolicy
    ) -> None:
        super().__init__(scope, construct_id)
        self.secret_name = f"{c.SERVICE}/{environment}/webhooks"
        # Vendors issue the signing secrets; operators paste them in after deploy
        # (`aws secretsmanager put-secret-value`). The template only fixes the JSON shape.
        self.secret = secretsmanager.Secret(
            self,
            c.ID_WEBHOOK_SECRETS,
            secret_name=self.secret_name,
            description='Webhook signing secrets per source: {"shopify": "...", "square": "...", ...}, '
            'plus "square_access_token" (the Square API token the orders worker reads orders with), '
            '"ebay_verification_token", and the vendors\' API credentials from which access tokens are '
            'minted: "ebay_client_id", "ebay_client_secret", "ebay_refresh_token", "amazon_lwa_client_id", '
            '"amazon_lwa_client_secret", "amazon_lwa_refresh_token", "walmart_client_id", '
            '"walmart_client_secret", "zalando_client_id", "zalando_client_secret", "erp_client_id", '
            '"erp_certificate_id", "erp_private_key" (PEM of the NetSuite M2M certificate), '
            '"shopify_access_token" (the Shopify Admin API token refunds are made with), "loop_api_key"',
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(
                    {
                        **dict.fromkeys(c.WEBHOOK_SOURCES, ""),
                        c.SECRET_KEY_SQUARE_ACCESS_TOKEN: "",
                        **dict.fromkeys(c.SECRET_KEYS_VENDOR_API, ""),
                    }
                ),
                generate_string_key="_unused",
                exclude_punctuation=True,
            ),
            removal_policy=removal_policy,
        )
        resource = self.secret.node.default_child
        assert isinstance(resource, secretsmanager.CfnSecret)
        resource.override_logical_id(c.ID_WEBHOOK_SECRETS)
        acknowledge_resource(
            self.secret,
            "AwsSolutions-SMG4",
            "Vendor-issued signing secrets rotate on the vendor side (Shopify, Square, ... issue them); "
            "a Secrets Manager rotation Lambda cannot mint them",
        )

    def grant_vendor_credentials(self, fn: lambda_.Function) -> iam.Grant:
        """A function that mints vendor tokens finds the credentials in this secret (`WEBHOOK_SECRETS_ARN`)."""
        fn.add_environment(c.ENV_WEBHOOK_SECRETS_ARN, self.secret.secret_arn)
        return self.grant_read(fn)

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read the secret, addressed by its name-based ARN (`<name>-??????`) rather than a `Ref`:
        the same secret on AWS, and a policy moto's CloudFormation can create even though it
        skips `AWS::SecretsManager::Secret` (the local stack creates the secret itself)."""
        stack = cdk.Stack.of(self)
        arn = stack.format_arn(
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
