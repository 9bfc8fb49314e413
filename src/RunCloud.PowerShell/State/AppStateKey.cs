using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// Names the durable state of one web app of one account: account identity + server id + web app id.
    /// The account identity is never a secret: <see cref="Account"/> is a SHA-256 fingerprint of the API base URI and
    /// the API key id (Basic auth; the key, not its secret) or of the token (Bearer), cut to 16 hex digits.
    /// <see cref="FileStem"/> is the file name shared by the journal (.json) and the lock (.lock).
    /// </summary>
    public sealed class AppStateKey : IEquatable<AppStateKey>
    {
        public AppStateKey(string account, long serverId, long webAppId)
        {
            if (string.IsNullOrEmpty(account) || account.Length > 64 || !IsHex(account))
            {
                throw new ArgumentException("An account fingerprint is 1-64 lowercase hex digits (see AppStateKey.Fingerprint).", nameof(account));
            }

            if (serverId <= 0) throw new ArgumentOutOfRangeException(nameof(serverId), serverId, "A server id is a positive number.");
            if (webAppId <= 0) throw new ArgumentOutOfRangeException(nameof(webAppId), webAppId, "A web app id is a positive number.");
            Account = account;
            ServerId = serverId;
            WebAppId = webAppId;
        }

        /// <summary>The non-secret account fingerprint.</summary>
        public string Account { get; }

        public long ServerId { get; }

        public long WebAppId { get; }

        /// <summary>e.g. 3fa4c1d2e5b60718-s1001-w2001.</summary>
        public string FileStem => string.Format(CultureInfo.InvariantCulture, "{0}-s{1}-w{2}", Account, ServerId, WebAppId);

        /// <summary>The fingerprint of an account: a one-way hash, so the file name reveals nothing usable.</summary>
        /// <param name="baseUri">The API root (scheme, host, path; compared case-insensitively).</param>
        /// <param name="identity">The API key (not its secret) or the token. Hashed, never stored.</param>
        public static string Fingerprint(Uri baseUri, string identity)
        {
            string text = baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/').ToLowerInvariant() + "\n" + identity;
            using (SHA256 sha = SHA256.Create())
            {
                byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
                var sb = new StringBuilder(16);
                for (int i = 0; i < 8; i++) sb.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
                return sb.ToString();
            }
        }

        public bool Equals(AppStateKey? other) =>
            other != null && other.Account == Account && other.ServerId == ServerId && other.WebAppId == WebAppId;

        public override bool Equals(object? obj) => Equals(obj as AppStateKey);

        public override int GetHashCode() => FileStem.GetHashCode();

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "web app {0} (server {1}, account {2})", WebAppId, ServerId, Account);

        private static bool IsHex(string s)
        {
            foreach (char c in s)
            {
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
            }

            return true;
        }
    }
}
