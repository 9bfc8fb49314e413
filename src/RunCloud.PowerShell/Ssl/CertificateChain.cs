using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace RunCloud.PowerShell.Ssl
{
    /// <summary>
    /// A custom certificate's PEM as RunCloud takes it: one "certificate" field (RunCloud's reference shows no separate
    /// chain field), which nginx serves as is, so it must hold the server's certificate FIRST and then its intermediates,
    /// each issued by the next. Checked before anything is sent: a chain in the wrong order is refused by nginx's reload
    /// (the key does not match the first certificate) or breaks clients silently.
    /// </summary>
    internal static class CertificateChain
    {
        private static readonly Regex s_block = new Regex("-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----",
            RegexOptions.Singleline | RegexOptions.CultureInvariant);

        /// <summary>What is wrong with <paramref name="pem"/> as a certificate chain, or null when it is usable.</summary>
        public static string? Check(string pem)
        {
            List<X509Certificate2> chain;
            try
            {
                chain = Read(pem);
            }
            catch (Exception ex) when (ex is FormatException || ex is CryptographicException)
            {
                return $"-Certificate holds a PEM block that is not a certificate ({ex.Message}).";
            }

            if (chain.Count == 0) return null; // the caller's own check says a PEM block is missing
            try
            {
                if (IsAuthority(chain[0]) && chain.Count > 1)
                {
                    return $"-Certificate starts with a certificate authority ({chain[0].Subject}), not the server's certificate: put the server's certificate first, then its intermediates.";
                }

                for (int i = 0; i + 1 < chain.Count; i++)
                {
                    if (!string.Equals(chain[i].Issuer, chain[i + 1].Subject, StringComparison.Ordinal))
                    {
                        return $"-Certificate is not a chain in order: certificate {i + 1} ({chain[i].Subject}) was issued by {chain[i].Issuer}, but certificate {i + 2} is {chain[i + 1].Subject}. "
                            + "Put the server's certificate first, then each intermediate after the certificate it issued.";
                    }
                }

                return null;
            }
            finally
            {
                foreach (X509Certificate2 c in chain) c.Dispose();
            }
        }

        /// <summary>
        /// True when the PEM holds only the server's certificate and it is not self-signed: clients that do not already
        /// have its intermediate fail to connect. A warning, not an error: some CAs' intermediates are widely cached.
        /// </summary>
        public static bool LacksIntermediates(string pem)
        {
            try
            {
                List<X509Certificate2> chain = Read(pem);
                try
                {
                    return chain.Count == 1 && !string.Equals(chain[0].Subject, chain[0].Issuer, StringComparison.Ordinal);
                }
                finally
                {
                    foreach (X509Certificate2 c in chain) c.Dispose();
                }
            }
            catch (Exception ex) when (ex is FormatException || ex is CryptographicException)
            {
                return false;
            }
        }

        private static List<X509Certificate2> Read(string pem)
        {
            var list = new List<X509Certificate2>();
            foreach (Match m in s_block.Matches(pem))
            {
                string base64 = Regex.Replace(m.Groups[1].Value, @"\s", string.Empty);
                list.Add(new X509Certificate2(Convert.FromBase64String(base64)));
            }

            return list;
        }

        private static bool IsAuthority(X509Certificate2 certificate) =>
            certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
    }
}
