using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// The parameters of the commands that probe names themselves (Test-RunCloudCertificate, Test-RunCloudDomainDns,
    /// Get-RunCloudNetworkStatus): -Address/-IpAddress, -TrustedRoot and -DnsServer are checked one way, so the same
    /// mistake gets the same error from each, before anything is sent. A bad value stops the cmdlet (a bad invocation).
    /// </summary>
    internal static class ProbeParameters
    {
        /// <summary>An address parameter that must be an IPv4 or IPv6 address (null: not given); <paramref name="hint"/> says what to give.</summary>
        public static void RequireIpAddressOrStop(Cmdlet cmdlet, string parameter, string? value, string? hint = null)
        {
            if (value == null || IPAddress.TryParse(value, out _)) return;
            cmdlet.ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                $"-{parameter} '{value}' is not an IPv4 or IPv6 address." + (hint == null ? string.Empty : " " + hint), value));
        }

        /// <summary>The -TrustedRoot values as certificates (objects, or paths resolved against the current location); stops at the first that is neither.</summary>
        public static List<X509Certificate2> TrustedRootsOrStop(PSCmdlet cmdlet, object[]? values)
        {
            var roots = new List<X509Certificate2>();
            foreach (object item in values ?? Array.Empty<object>())
            {
                object value = item is PSObject ps ? ps.BaseObject : item;
                X509Certificate2? root = ReadTrustedRoot(value, cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath, out string? problem);
                if (root == null) cmdlet.ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, problem!, value));
                else roots.Add(root);
            }

            return roots;
        }

        /// <summary>The -DnsServer values (resolver addresses or DNS-over-HTTPS URLs); null for none; stops at one that is neither.</summary>
        public static DnsServerList? DnsServersOrStop(Cmdlet cmdlet, string[]? servers)
        {
            if (!SslParameters.TryParseDnsServers(servers, out DnsServerList? list, out string? problem, out string? bad))
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, problem!, bad));
            }

            return list;
        }

        /// <summary>One -TrustedRoot value: a certificate object, or the path of a PEM or DER file; null with the problem when it is neither.</summary>
        internal static X509Certificate2? ReadTrustedRoot(object value, Func<string, string> resolvePath, out string? problem)
        {
            problem = null;
            try
            {
                switch (value)
                {
                    case X509Certificate2 certificate: return certificate;
                    case X509Certificate certificate: return new X509Certificate2(certificate);
                    case FileInfo file: return Load(file.FullName);
                    case string path: return Load(resolvePath(path));
                    default: throw new ArgumentException($"a {value.GetType().Name} is not a certificate");
                }
            }
            catch (Exception ex) when (ex is CryptographicException || ex is IOException || ex is ArgumentException || ex is UnauthorizedAccessException)
            {
                problem = $"-TrustedRoot '{value}' cannot be read as a certificate ({ex.Message}). Pass an X509Certificate2 or the path of a PEM or DER certificate file.";
                return null;
            }
        }

        /// <summary>A PEM (-----BEGIN CERTIFICATE-----) or DER file.</summary>
        private static X509Certificate2 Load(string path)
        {
            string text = File.ReadAllText(path);
            const string begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
            int b = text.IndexOf(begin, StringComparison.Ordinal);
            if (b < 0) return new X509Certificate2(File.ReadAllBytes(path));
            int e = text.IndexOf(end, b, StringComparison.Ordinal);
            if (e < 0) throw new ArgumentException("the PEM block has no END line");
            string base64 = text.Substring(b + begin.Length, e - b - begin.Length);
            return new X509Certificate2(Convert.FromBase64String(string.Concat(base64.Where(c => !char.IsWhiteSpace(c)))));
        }
    }
}
