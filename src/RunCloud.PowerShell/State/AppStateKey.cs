using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// Names the durable state (journal, lock) of one web app: the API host + server id + web app id. Server ids are
    /// global within one API host, so these three name the app whoever's credential reaches it: the same account under a
    /// token and under key + secret, or after a token rotation, finds the same journal and waits on the same lock. The
    /// credential plays no part, so no file name holds or hints at a secret.
    /// <see cref="FileStem"/> is the file name shared by the journal (.json) and the lock (.lock), e.g.
    /// manage.runcloud.io-s1001-w2001 (a port is written +8080, since ':' cannot be in a Windows file name).
    /// <see cref="LegacyAccount"/> is what the first state format keyed the same app by (a hash of the API root and the
    /// credential, <see cref="Fingerprint"/>): the store takes over a journal and honours a lock still named that way.
    /// </summary>
    internal sealed class AppStateKey : IEquatable<AppStateKey>
    {
        /// <summary>Longest host part of a file name; a longer host is cut and completed with its hash, so the stem stays far below 255 bytes.</summary>
        private const int MaxHostInName = 120;

        /// <param name="apiHost">The API host as <see cref="ApiHostOf"/> gives it (lower case, ":port" when not the scheme's default).</param>
        /// <param name="serverId">The server id.</param>
        /// <param name="webAppId">The web app id.</param>
        /// <param name="legacyAccount">The first format's fingerprint of the same app under the current credential, or null.</param>
        public AppStateKey(string apiHost, long serverId, long webAppId, string? legacyAccount = null)
        {
            if (string.IsNullOrEmpty(apiHost) || apiHost.Length > 300 || !apiHost.All(IsHostChar))
            {
                throw new ArgumentException("An API host is the lower-case host of the API root, with ':port' when not the default (see AppStateKey.ApiHostOf).", nameof(apiHost));
            }

            if (legacyAccount != null && !IsLegacyAccount(legacyAccount))
            {
                throw new ArgumentException("A legacy account fingerprint is 16 lowercase hex digits (see AppStateKey.Fingerprint).", nameof(legacyAccount));
            }

            if (serverId <= 0) throw new ArgumentOutOfRangeException(nameof(serverId), serverId, "A server id is a positive number.");
            if (webAppId <= 0) throw new ArgumentOutOfRangeException(nameof(webAppId), webAppId, "A web app id is a positive number.");
            ApiHost = apiHost;
            ServerId = serverId;
            WebAppId = webAppId;
            LegacyAccount = legacyAccount;
        }

        /// <summary>The key of an app reached through <paramref name="baseUri"/>.</summary>
        public static AppStateKey For(Uri baseUri, long serverId, long webAppId, string? legacyAccount = null) =>
            new AppStateKey(ApiHostOf(baseUri), serverId, webAppId, legacyAccount);

        /// <summary>The API host: e.g. manage.runcloud.io, 127.0.0.1:8080 or [::1]:8080 (IDN as punycode, lower case).</summary>
        public string ApiHost { get; }

        public long ServerId { get; }

        public long WebAppId { get; }

        /// <summary>The first state format's account fingerprint for this app under the current credential (16 hex digits), or null.</summary>
        public string? LegacyAccount { get; }

        /// <summary>e.g. manage.runcloud.io-s1001-w2001.</summary>
        public string FileStem => string.Format(CultureInfo.InvariantCulture, "{0}-s{1}-w{2}", HostInName(ApiHost), ServerId, WebAppId);

        /// <summary>The first format's file name for this app under the current credential, or null.</summary>
        public string? LegacyFileStem => LegacyAccount == null ? null : LegacyStem(LegacyAccount, ServerId, WebAppId);

        /// <summary>The API host of an API root: what server ids are unique within.</summary>
        public static string ApiHostOf(Uri baseUri)
        {
            if (baseUri == null || !baseUri.IsAbsoluteUri) throw new ArgumentException("The API root must be an absolute URI.", nameof(baseUri));
            string host = baseUri.HostNameType == UriHostNameType.IPv6 ? baseUri.Host : baseUri.IdnHost;
            host = host.ToLowerInvariant();
            return baseUri.IsDefaultPort ? host : host + ":" + baseUri.Port.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>A file name of the first format: &lt;fingerprint&gt;-s&lt;server&gt;-w&lt;web app&gt;.</summary>
        public static string LegacyStem(string account, long serverId, long webAppId) =>
            string.Format(CultureInfo.InvariantCulture, "{0}-s{1}-w{2}", account, serverId, webAppId);

        /// <summary>
        /// The first state format's account fingerprint: a SHA-256 of the API root and the credential's identity (the API
        /// key, or the token), cut to 16 hex digits. Kept only to find state that format left; never a key of new state.
        /// </summary>
        /// <param name="baseUri">The API root (scheme, host, path; compared case-insensitively).</param>
        /// <param name="identity">The API key (not its secret) or the token. Hashed, never stored.</param>
        public static string Fingerprint(Uri baseUri, string identity)
        {
            string text = baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/').ToLowerInvariant() + "\n" + identity;
            return Hex(Encoding.UTF8.GetBytes(text), 8);
        }

        /// <summary>True for a first-format account fingerprint (16 lowercase hex digits).</summary>
        public static bool IsLegacyAccount(string? text) =>
            text != null && text.Length == 16 && text.All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));

        public bool Equals(AppStateKey? other) =>
            other != null && other.ApiHost == ApiHost && other.ServerId == ServerId && other.WebAppId == WebAppId;

        public override bool Equals(object? obj) => Equals(obj as AppStateKey);

        public override int GetHashCode() => FileStem.GetHashCode();

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "web app {0} (server {1}, {2})", WebAppId, ServerId, ApiHost);

        internal static string HostInName(string host)
        {
            string name = host.Replace(':', '+');
            return name.Length <= MaxHostInName ? name : name.Substring(0, MaxHostInName - 17) + "~" + Hex(Encoding.UTF8.GetBytes(host), 8);
        }

        internal static string Hex(byte[] data, int bytes)
        {
            using (SHA256 sha = SHA256.Create())
            {
                byte[] hash = sha.ComputeHash(data);
                var sb = new StringBuilder(bytes * 2);
                for (int i = 0; i < bytes; i++) sb.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
                return sb.ToString();
            }
        }

        /// <summary>What <see cref="ApiHostOf"/> can give: DNS letters, digits, '-', '.', '_', an IPv6 literal's brackets, colons and zone '%', the port's ':'.</summary>
        private static bool IsHostChar(char c) =>
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == ':' || c == '[' || c == ']' || c == '%';
    }
}
