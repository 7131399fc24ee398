import type { EmulatorRequest } from "../shared/index.js";
import type { AwsCredentials } from "./credentials.js";

/** An IAM user made in moto for a test: its access key, and its MFA device when asked for. */
export interface AwsIamUser {
  userName: string;
  arn: string;
  credentials: AwsCredentials;
  /** The serial number (ARN) of the enabled virtual MFA device, when `mfa` was asked for. */
  mfaSerial?: string;
}

const IAM_VERSION = "2010-05-08";

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/**
 * Calls IAM operations (query protocol: a form body, XML answers) on moto directly, not
 * through the fault layer, so test setup is neither counted nor faulted.
 */
export class MotoIamClient {
  constructor(readonly motoUrl: string) {}

  async call(action: string, params: Record<string, string>, accessKeyId = "AKIDEMULATORSEED") {
    const res = await fetch(`${this.motoUrl}/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        authorization:
          `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/us-east-1/iam/aws4_request, ` +
          "SignedHeaders=content-type;host, Signature=0",
      },
      body: new URLSearchParams({ Action: action, Version: IAM_VERSION, ...params }).toString(),
    });
    const xml = await res.text();
    if (!res.ok) {
      throw new Error(`moto IAM ${action} failed with ${res.status}: ${tag(xml, "Message") ?? ""}`);
    }
    return xml;
  }

  /** CreateUser + CreateAccessKey, then CreateVirtualMFADevice + EnableMFADevice when `mfa`. */
  async createUser(userName: string, mfa: boolean): Promise<AwsIamUser> {
    const user = await this.call("CreateUser", { UserName: userName });
    const key = await this.call("CreateAccessKey", { UserName: userName });
    const accessKeyId = tag(key, "AccessKeyId");
    const secretAccessKey = tag(key, "SecretAccessKey");
    const arn = tag(user, "Arn");
    if (!accessKeyId || !secretAccessKey || !arn) {
      throw new Error(`moto IAM answered CreateUser/CreateAccessKey for ${userName} without keys`);
    }
    const made: AwsIamUser = { userName, arn, credentials: { accessKeyId, secretAccessKey } };
    if (!mfa) return made;
    const device = await this.call("CreateVirtualMFADevice", { VirtualMFADeviceName: userName });
    const serial = tag(device, "SerialNumber");
    if (!serial) throw new Error(`moto IAM created no MFA device for ${userName}`);
    await this.call("EnableMFADevice", {
      UserName: userName,
      SerialNumber: serial,
      AuthenticationCode1: "123456",
      AuthenticationCode2: "654321",
    });
    return { ...made, mfaSerial: serial };
  }

  /**
   * IAM's ListMFADevices without a UserName lists the devices of the user whose access key
   * signed the request (AWS's documented behaviour); moto needs the name. Returns the request
   * with the signer's UserName filled in, or undefined when the key belongs to no IAM user.
   */
  async withImplicitUserName(
    req: EmulatorRequest,
    accessKeyId: string | undefined,
  ): Promise<EmulatorRequest | undefined> {
    const form = new URLSearchParams(req.body.toString("utf8"));
    if (form.get("UserName")) return req;
    if (!accessKeyId) return undefined;
    const found = await this.call("GetAccessKeyLastUsed", { AccessKeyId: accessKeyId }).catch(
      () => undefined,
    );
    const userName = found ? tag(found, "UserName") : undefined;
    if (!userName) return undefined;
    form.set("UserName", userName);
    return { ...req, body: Buffer.from(form.toString(), "utf8") };
  }
}

/**
 * STS GetSessionToken with a SerialNumber: AWS refuses (AccessDenied) a device that is not the
 * signer's and a code that is not 6 digits. Returns the refusal's message, or undefined when
 * the call may go on to moto (which checks neither). Codes themselves are not verified.
 */
export async function sessionTokenMfaRefusal(
  iam: MotoIamClient,
  req: EmulatorRequest,
  accessKeyId: string | undefined,
): Promise<string | undefined> {
  const form = new URLSearchParams(req.body.toString("utf8"));
  const serial = form.get("SerialNumber");
  if (serial === null) return undefined;
  const named = await iam.withImplicitUserName(
    { ...req, body: Buffer.from("Action=ListMFADevices", "utf8") },
    accessKeyId,
  );
  const userName = named ? new URLSearchParams(named.body.toString("utf8")).get("UserName") : null;
  const devices = userName ? await iam.call("ListMFADevices", { UserName: userName }) : "";
  if (!devices.includes(`<SerialNumber>${serial}</SerialNumber>`)) {
    return "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.";
  }
  if (!/^\d{6}$/.test(form.get("TokenCode") ?? "")) {
    return "MultiFactorAuthentication failed with invalid MFA one time pass code.";
  }
  return undefined;
}

/** ListMFADevices' answer for a key that belongs to no IAM user (moto's default identity). */
export function emptyMfaDeviceList(): {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
} {
  return {
    status: 200,
    headers: { "content-type": "text/xml" },
    body: Buffer.from(
      `<ListMFADevicesResponse xmlns="https://iam.amazonaws.com/doc/${IAM_VERSION}/">` +
        "<ListMFADevicesResult><MFADevices/><IsTruncated>false</IsTruncated></ListMFADevicesResult>" +
        "<ResponseMetadata><RequestId>emulator</RequestId></ResponseMetadata></ListMFADevicesResponse>",
      "utf8",
    ),
  };
}
