import { describe, expect, it } from "vitest";
import { invalidDomainEntries, isUrlAllowed } from "../../src/index.js";

// [allowed domains, request URL, allowed?, why]
const cases: Array<[string[], string | undefined, boolean, string]> = [
  [[], "https://anything.example", true, "no domains: any host"],
  [[], undefined, true, "no domains: no URL needed"],
  [["api.example.com"], "https://api.example.com/v1/charges", true, "exact host, path ignored"],
  [
    ["api.example.com"],
    "http://api.example.com",
    false,
    "no scheme in the domain allows https only",
  ],
  [["http://api.example.com"], "http://api.example.com", true, "http allowed when written"],
  [["http://api.example.com"], "https://api.example.com", false, "http entry does not allow https"],
  [["https://api.example.com"], "https://api.example.com", true, "explicit https"],
  [["api.example.com"], "https://api.example.com:8443/x", true, "request port ignored"],
  [["api.example.com:9999"], "https://api.example.com", true, "domain port ignored"],
  [["api.example.com/only/this"], "https://api.example.com/other", true, "domain path ignored"],
  [["*.example.com"], "https://a.example.com", true, "wildcard subdomain"],
  [["*.example.com"], "https://a.b.example.com", true, "wildcard deep subdomain"],
  [["*.example.com"], "https://example.com", true, "wildcard matches the apex"],
  [["*.example.com"], "https://evilexample.com", false, "wildcard needs a label boundary"],
  [["example.com"], "https://example.com.evil.net", false, "look-alike suffix host"],
  [
    ["*.example.com"],
    "https://example.com.evil.net",
    false,
    "look-alike suffix host under a wildcard",
  ],
  [["example.com"], "https://www.example.com", false, "plain domain does not cover subdomains"],
  [["API.Example.COM"], "https://api.example.com", true, "upper case in the domain"],
  [["api.example.com"], "https://API.EXAMPLE.COM/x", true, "upper case in the URL"],
  [["api.example.com."], "https://api.example.com", true, "trailing dot in the domain"],
  [["api.example.com"], "https://api.example.com./x", true, "trailing dot in the URL"],
  [["127.0.0.1"], "https://127.0.0.1:8080", true, "IP address"],
  [["127.0.0.1"], "https://127.0.0.2", false, "another IP"],
  [["http://127.0.0.1"], "127.0.0.1:3000/path", true, "URL without scheme counts as http"],
  [
    ["api.example.com"],
    "api.example.com/path",
    false,
    "URL without scheme is http, domain allows https",
  ],
  [["api.example.com"], undefined, false, "restricted secret without a request URL"],
  [["a.example.com", "b.example.com"], "https://b.example.com", true, "second entry matches"],
  [["api.example.com"], "not a url at all", false, "unparseable URL"],
  [["ftp://api.example.com"], "ftp://api.example.com", false, "only http and https schemes"],
  [["[::1]"], "https://[::1]:8443/", true, "IPv6 literal"],
];

describe("allowed domains", () => {
  it.each(cases)("%j with %s → %s (%s)", (domains, url, expected) => {
    expect(isUrlAllowed(domains, url)).toBe(expected);
  });

  it("rejects entries that are not domains", () => {
    expect(invalidDomainEntries(["ok.example.com", "", "*.", "ftp://x.y", "a*b.com"])).toEqual([
      "",
      "*.",
      "ftp://x.y",
      "a*b.com",
    ]);
  });
});
