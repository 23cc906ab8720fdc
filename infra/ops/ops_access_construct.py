"""Who may call the ops routes: a read-only role, an operator role, and the API's resource policy.

The ops routes are `AWS_IAM` (SigV4) authorized. IAM auth alone lets any principal of the account
whose identity policy allows `execute-api:Invoke` in; the resource policy narrows that to the two
roles defined here, by method and path (API Gateway resource policy examples: "Allow roles ... to
use an API", with the abbreviated `execute-api:/<stage>/<METHOD>/<path>` resources). For a caller in
the API's own account, "How API Gateway resource policies affect authorization workflow" (table A)
allows the call when either the caller's IAM policy or the resource policy allows it, and an
explicit deny in either wins: so the grants live in the resource policy, the roles carry no
identity policy of their own (no `v1/ops/*` wildcard to acknowledge per role and method), and the
denies below shut out every other principal of the account:

- read-only (`GET` on `/v1/ops/*`): timelines, orders, inventory, runs, exceptions, audit; and
  `GET /v1/openapi.json`, the API's description (IAM like the ops routes it describes);
- operator (also `POST`/`PUT`/`DELETE` on `/v1/ops/*`): resolve, retry, replay, allocation rules,
  listings, reconciliation runs, DLQ redrive.

Everyone else is denied explicitly on the ops routes, whatever their identity policies say. The
webhook routes stay open to vendors (their signature is checked in the function). Both roles are
assumable from the account (an operator's SSO role or a CI role is granted `sts:AssumeRole` on the
one it needs); the function records the caller (`requestContext.identity.userArn`) in every audit
entry.
"""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra import constants as c

OPS_ROUTES = "v1/ops/*"
OPENAPI_ROUTE = "v1/openapi.json"
WEBHOOK_ROUTES = "v1/webhooks/*"
READ_METHODS = ("GET",)
WRITE_METHODS = ("POST", "PUT", "DELETE")
WEBHOOK_METHODS = ("POST", "GET")


def _resources(stage: str, methods: tuple[str, ...], routes: str) -> list[str]:
    return [f"execute-api:/{stage}/{method}/{routes}" for method in methods]


class OpsAccessConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, api: apigw.RestApi, environment: str) -> None:
        super().__init__(scope, construct_id)
        stage = environment  # the stage's literal name: its token would make the policy depend on the stage
        self.read_only_role = iam.Role(
            self,
            c.ID_OPS_READ_ONLY_ROLE,
            role_name=f"{c.SERVICE}-{environment}-ops-read-only",
            assumed_by=iam.AccountRootPrincipal(),
            description="Ops API read-only: GET on /v1/ops/* (timelines, orders, inventory, exceptions, audit)",
        )
        self.operator_role = iam.Role(
            self,
            c.ID_OPS_OPERATOR_ROLE,
            role_name=f"{c.SERVICE}-{environment}-ops-operator",
            assumed_by=iam.AccountRootPrincipal(),
            description="Ops API operator: GET, POST, PUT, DELETE on /v1/ops/* (resolve, retry, replay, redrive...)",
        )
        both = [self.read_only_role.role_arn, self.operator_role.role_arn]
        # Once an API has a resource policy, an unauthenticated route is reachable only if it allows it.
        api.add_to_resource_policy(
            iam.PolicyStatement(
                sid="VendorWebhooks",
                principals=[iam.AnyPrincipal()],
                actions=["execute-api:Invoke"],
                resources=_resources(stage, WEBHOOK_METHODS, WEBHOOK_ROUTES),
            )
        )
        api.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OpsRead",
                principals=[iam.ArnPrincipal(arn) for arn in both],
                actions=["execute-api:Invoke"],
                resources=[*_resources(stage, READ_METHODS, OPS_ROUTES), f"execute-api:/{stage}/GET/{OPENAPI_ROUTE}"],
            )
        )
        api.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OpsWrite",
                principals=[iam.ArnPrincipal(self.operator_role.role_arn)],
                actions=["execute-api:Invoke"],
                resources=_resources(stage, WRITE_METHODS, OPS_ROUTES),
            )
        )
        # Explicit denies: no identity policy in the account can widen access past the two roles.
        api.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OpsOnlyTheTwoRoles",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["execute-api:Invoke"],
                resources=[f"execute-api:/{stage}/*/{OPS_ROUTES}", f"execute-api:/{stage}/*/{OPENAPI_ROUTE}"],
                conditions={"StringNotEquals": {"aws:PrincipalArn": both}},
            )
        )
        api.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OpsWritesOnlyTheOperator",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["execute-api:Invoke"],
                resources=_resources(stage, WRITE_METHODS, OPS_ROUTES),
                conditions={"StringNotEquals": {"aws:PrincipalArn": self.operator_role.role_arn}},
            )
        )
