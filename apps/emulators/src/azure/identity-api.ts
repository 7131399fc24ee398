import { constants, verify } from "node:crypto";
import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { type AzureIdentity, CONSUMERS_TENANT_ID } from "./identity.js";
import {
  aadError,
  atAuthority,
  DEVICE_CODE_GRANT,
  formAtAuthority,
  noTenantForApp,
  redeemAuthorizationCode,
  redeemDeviceCode,
  unknownClient,
  workAccountsOnly,
} from "./user-api.js";

/** App Service managed identity (api-version 2019-08-01): GET /msi/token?resource=... */
export function handleMsiToken(identity: AzureIdentity, req: EmulatorRequest): EmulatorResponse {
  if (req.headers["x-identity-header"] !== identity.identityHeader) {
    return {
      status: 401,
      body: { statusCode: 401, message: "Invalid or missing X-IDENTITY-HEADER." },
    };
  }
  const resource = req.url.searchParams.get("resource");
  if (!resource) {
    return {
      status: 400,
      body: { statusCode: 400, message: "The 'resource' parameter is required." },
    };
  }
  const clientId = req.url.searchParams.get("client_id") ?? identity.managedIdentityClientId;
  const issued = identity.issue(clientId);
  return {
    status: 200,
    body: {
      access_token: issued.token,
      expires_on: String(issued.expiresOn),
      resource,
      token_type: "Bearer",
      client_id: clientId,
    },
  };
}

/**
 * The OpenID Connect discovery document MSAL reads before asking for a token. For the
 * multi-tenant authorities the endpoints stay under the alias (`/organizations/oauth2/...`)
 * and, as in Entra ID, the issuer of `organizations` and `common` is a template
 * (`.../{tenantid}/v2.0`): tokens are issued by the signed-in user's home tenant, known only
 * once someone signs in. `consumers` names the personal-account tenant.
 */
export function handleOpenIdConfiguration(
  identity: AzureIdentity,
  tenant: string,
  req: EmulatorRequest,
): EmulatorResponse {
  return atAuthority(identity, tenant, (kind) => {
    const segment = kind === "tenant" ? tenant : kind;
    const base = `${req.url.origin}/${segment}`;
    const issuerTenant =
      kind === "tenant" ? tenant : kind === "consumers" ? CONSUMERS_TENANT_ID : "{tenantid}";
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          "client_secret_post",
          "private_key_jwt",
          "client_secret_basic",
        ],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${req.url.origin}/${issuerTenant}/v2.0`,
        request_uri_parameter_supported: false,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        tenant_region_scope: null,
        cloud_instance_name: "microsoftonline.com",
        cloud_graph_host_name: "graph.windows.net",
        msgraph_host: "graph.microsoft.com",
      },
    };
  });
}

/** Instance discovery, for MSAL clients that do not set `disableInstanceDiscovery`. */
export function handleInstanceDiscovery(req: EmulatorRequest): EmulatorResponse {
  const host = req.url.host;
  return {
    status: 200,
    body: {
      tenant_discovery_endpoint: `${req.url.origin}/common/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    },
  };
}

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

interface Jwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signed: string;
  signature: Buffer;
}

function decodeJwt(token: string): Jwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const [header, claims] = [parts[0], parts[1]].map((part) =>
      JSON.parse(Buffer.from(part as string, "base64url").toString("utf8")),
    );
    return {
      header,
      claims,
      signed: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2] as string, "base64url"),
    };
  } catch {
    return undefined;
  }
}

/** RS256 or PS256 (what MSAL signs certificate assertions with) under the registered key. */
function signatureValid(jwt: Jwt, key: import("node:crypto").KeyObject): boolean {
  const data = Buffer.from(jwt.signed);
  if (jwt.header.alg === "RS256") return verify("sha256", data, key, jwt.signature);
  if (jwt.header.alg === "PS256") {
    const pss = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    return verify("sha256", data, pss, jwt.signature);
  }
  return false;
}

const badAssertion = (code: number, description: string) =>
  aadError(401, "invalid_client", code, description);

/**
 * The client proves itself with a signed JWT instead of a secret: a certificate's key (header
 * `x5t` / `x5t#S256`), or a federated token (workload identity) from a trusted issuer.
 * Undefined when the assertion is good.
 */
function checkAssertion(
  identity: AzureIdentity,
  clientId: string,
  assertion: string,
  tokenEndpoint: string,
): EmulatorResponse | undefined {
  const jwt = decodeJwt(assertion);
  if (!jwt) return badAssertion(50027, "JWT token is invalid or malformed.");
  const exp = Number(jwt.claims.exp);
  if (Number.isFinite(exp) && exp * 1000 <= Date.now()) {
    return badAssertion(700024, "Client assertion is not within its valid time range.");
  }
  const certificate = "x5t" in jwt.header || "x5t#S256" in jwt.header;
  if (certificate) {
    const key = identity.certificateKeyOf(clientId);
    if (!key) {
      return badAssertion(
        700027,
        `The certificate is not registered for application '${clientId}'.`,
      );
    }
    if (!signatureValid(jwt, key)) {
      return badAssertion(700027, "Client assertion failed signature validation.");
    }
    if (
      jwt.claims.aud !== tokenEndpoint ||
      jwt.claims.iss !== clientId ||
      jwt.claims.sub !== clientId
    ) {
      return badAssertion(700021, "Client assertion audience, issuer or subject is not valid.");
    }
    return undefined;
  }
  if (!identity.isFederated(clientId, jwt.claims.iss, jwt.claims.sub)) {
    return aadError(
      400,
      "invalid_request",
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${String(jwt.claims.iss)}'. Assertion Subject: '${String(jwt.claims.sub)}'.`,
    );
  }
  return undefined;
}

/**
 * POST /<tenant>/oauth2/v2.0/token: the client-credentials grant (service principals), and
 * for users the authorization-code grant (browser sign-in) and the device-code grant. The user
 * grants are also served at `/organizations` and `/common`; app-only grants need the tenant id
 * (AADSTS50059 otherwise), and `/consumers` takes none of the emulated apps (AADSTS9002332).
 */
export function handleAadToken(
  identity: AzureIdentity,
  tenant: string,
  req: EmulatorRequest,
): EmulatorResponse {
  return formAtAuthority(identity, tenant, req, (kind, form) => {
    const grant = form.get("grant_type");
    // The emulated directory's apps are for work accounts: none of them at the personal one.
    if (kind === "consumers") return workAccountsOnly(form.get("client_id") ?? "");
    if (grant === "authorization_code") {
      return redeemAuthorizationCode(identity, form, req.url.origin);
    }
    // RFC 8628's URN, or the short name MSAL sends (Entra ID takes both).
    if (grant === DEVICE_CODE_GRANT || grant === "device_code") {
      return redeemDeviceCode(identity, form, req.url.origin);
    }
    if (grant !== "client_credentials") {
      return aadError(
        400,
        "unsupported_grant_type",
        70003,
        `The app requested an unsupported grant type '${grant ?? ""}'.`,
      );
    }
    // No user signs in to an app-only grant, so `organizations` or `common` names no tenant.
    if (kind !== "tenant") return noTenantForApp();
    const clientId = form.get("client_id") ?? "";
    if (form.get("client_assertion_type") === JWT_BEARER) {
      const tokenEndpoint = `${req.url.origin}/${tenant}/oauth2/v2.0/token`;
      const refused = checkAssertion(
        identity,
        clientId,
        form.get("client_assertion") ?? "",
        tokenEndpoint,
      );
      return refused ?? issuedToken(identity, clientId);
    }
    const verdict = identity.checkClient(clientId, form.get("client_secret") ?? "");
    if (verdict === "unknown-client") return unknownClient(clientId, tenant);
    if (verdict === "bad-secret") {
      return aadError(
        401,
        "invalid_client",
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    return issuedToken(identity, clientId);
  });
}

function issuedToken(identity: AzureIdentity, clientId: string): EmulatorResponse {
  const issued = identity.issue(clientId);
  return {
    status: 200,
    body: {
      token_type: "Bearer",
      expires_in: issued.expiresIn,
      ext_expires_in: issued.expiresIn,
      access_token: issued.token,
    },
  };
}
