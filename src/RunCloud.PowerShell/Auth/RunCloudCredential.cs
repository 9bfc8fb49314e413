using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Auth
{
    /// <summary>The credential of one connection. Secrets stay in SecureStrings; <see cref="CreateHeader"/> is the only place they become text.</summary>
    internal sealed class RunCloudCredential
    {
        private readonly string? _apiKey;
        private readonly SecureString? _secret;
        private readonly SecureString? _token;

        private RunCloudCredential(string? apiKey, SecureString? secret, SecureString? token)
        {
            _apiKey = apiKey;
            _secret = secret;
            _token = token;
        }

        public static RunCloudCredential ForApiKey(string apiKey, SecureString secret) =>
            new RunCloudCredential(apiKey, Seal(secret), null);

        public static RunCloudCredential ForToken(SecureString token) => new RunCloudCredential(null, null, Seal(token));

        public RunCloudAuthenticationKind Kind => _token != null ? RunCloudAuthenticationKind.Token : RunCloudAuthenticationKind.ApiKey;

        /// <summary>The first four characters of the API key (or token), enough to tell keys apart, never enough to use one.</summary>
        public string KeyId
        {
            get
            {
                if (_apiKey != null) return Prefix(_apiKey);
                string? token = SecureText.ToPlain(_token!);
                try { return Prefix(token ?? string.Empty); }
                finally { token = null; }
            }
        }

        /// <summary>
        /// The account identity behind this credential, to be hashed into a state key (AppStateKey.Fingerprint) and
        /// never stored or shown: the API key (not its secret) for Basic auth, the token for Bearer.
        /// </summary>
        internal string IdentityForFingerprint() => _apiKey != null ? "key:" + _apiKey : "token:" + SecureText.ToPlain(_token!);

        /// <summary>
        /// Who this credential is, to share one rate limiter per account: the API key (not secret) for key + secret, a
        /// hash of the token under a random key made once per process for a token. Never the secret itself.
        /// </summary>
        public string Identity
        {
            get
            {
                if (_apiKey != null) return "key:" + _apiKey;
                string token = SecureText.ToPlain(_token!);
                using var hmac = new System.Security.Cryptography.HMACSHA256(s_identityKey);
                return "token:" + Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(token)));
            }
        }

        private static readonly byte[] s_identityKey = NewIdentityKey();

        private static byte[] NewIdentityKey()
        {
            var key = new byte[32];
            using var random = System.Security.Cryptography.RandomNumberGenerator.Create();
            random.GetBytes(key);
            return key;
        }

        public AuthenticationHeaderValue CreateHeader()
        {
            if (_token != null)
            {
                return new AuthenticationHeaderValue("Bearer", SecureText.ToPlain(_token));
            }

            string pair = _apiKey + ":" + SecureText.ToPlain(_secret!);
            return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }

        /// <summary>The secret values, for redaction of text that might echo them.</summary>
        internal string[] SecretsForRedaction()
        {
            var list = new System.Collections.Generic.List<string>(3);
            if (_secret != null)
            {
                string secret = SecureText.ToPlain(_secret);
                list.Add(secret);
                list.Add(_apiKey + ":" + secret);
                list.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(_apiKey + ":" + secret))); // the Basic header value
            }

            if (_token != null) list.Add(SecureText.ToPlain(_token));
            return list.Where(s => s.Length >= 4).ToArray();
        }

        private static string Prefix(string value) => value.Length <= 4 ? new string('*', value.Length) : value.Substring(0, 4) + "…";

        private static SecureString Seal(SecureString value)
        {
            SecureString copy = value.Copy();
            copy.MakeReadOnly();
            return copy;
        }
    }
}
