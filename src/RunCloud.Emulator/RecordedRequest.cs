using System;

namespace RunCloud.Emulator
{
    /// <summary>One request the emulator received. Never holds the API secret, the token or a private key.</summary>
    public sealed class RecordedRequest
    {
        /// <summary>When it arrived, by the emulator's clock (UTC; real time unless a test moved the clock: /_emulator/clock).</summary>
        public DateTime Time { get; set; }
        public string Method { get; set; } = "";
        /// <summary>e.g. /api/v3/servers/1001/webapps/2001/domains</summary>
        public string Path { get; set; } = "";
        /// <summary>The query string without the leading "?" ("" when none).</summary>
        public string Query { get; set; } = "";
        /// <summary>The JSON body as sent, with "privateKey" values and any credential replaced by "***"; null when none.</summary>
        public string? Body { get; set; }
        /// <summary>Basic, Bearer or None (any other scheme is recorded by its name).</summary>
        public string AuthScheme { get; set; } = "None";
        /// <summary>The answer's status; 0 when the connection was reset.</summary>
        public int StatusCode { get; set; }
        public string? ContentType { get; set; }
        /// <summary>
        /// What the body was: JsonObject (what the contract asks of a client), JsonOther ("[]" and other non-objects),
        /// MalformedJson, Form (application/x-www-form-urlencoded), Ignored (another Content-Type) or None.
        /// Lets a test assert that a client sends clean JSON even though the emulator, like RunCloud, accepts more.
        /// </summary>
        public RequestBodyKind BodyKind { get; set; }
        /// <summary>v2 or v3 ("" for other paths).</summary>
        public string ApiVersion { get; set; } = "";
        /// <summary>The fault injected into this request, if any (e.g. "Status 503").</summary>
        public string? Fault { get; set; }

        /// <summary>The Content-Length header's value; null when the request had none (e.g. a body-less PUT from curl or WordPress).</summary>
        public long? ContentLength { get; set; }
        /// <summary>Whether the body came with Transfer-Encoding: chunked.</summary>
        public bool Chunked { get; set; }
        public string? UserAgent { get; set; }
        /// <summary>Which valid credential sent it: "token", "token2"... (EmulatorOptions.AdditionalTokens), "key" (v2 Basic); "" when none was valid.</summary>
        public string Account { get; set; } = "";
        /// <summary>Why the request was refused before routing (it could not be read as HTTP: e.g. "malformed request line"); null when it was routed.</summary>
        public string? Refusal { get; set; }

        public override string ToString() => $"{Method} {Path}{(Query.Length > 0 ? "?" + Query : "")} -> {StatusCode}";
    }
}
