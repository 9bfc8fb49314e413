using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Ssl
{
    /// <summary>
    /// Connects with TLS and SNI to a name (or a given address and port), takes the certificate the server presents,
    /// and judges it: does it name the host, is it within its validity period, does its chain build to a trusted root
    /// (the system's, or the roots given). The handshake itself never fails on a bad certificate: it is reported.
    /// </summary>
    internal static class CertificateProbe
    {
        /// <param name="chains">
        /// Chain verdicts already reached in this run, by the served certificate and its intermediates: a network's
        /// names share a few certificates, and building the same chain once per name is most of a probe's CPU.
        /// </param>
        public static async Task<RunCloudCertificateCheck> ProbeAsync(string name, string? address, int port, TimeSpan timeout,
            IReadOnlyCollection<X509Certificate2>? trustedRoots, DateTime nowUtc, CancellationToken ct,
            System.Collections.Concurrent.ConcurrentDictionary<string, (bool Valid, string? Status)>? chains = null)
        {
            var check = new RunCloudCertificateCheck { Name = name, Port = port, Address = address };
            X509Certificate2? served = null;
            var extra = new X509Certificate2Collection();
            try
            {
                using var tcp = new TcpClient();
                Task connect = address != null ? tcp.ConnectAsync(IPAddress.Parse(address), port) : tcp.ConnectAsync(name, port);
                if (await Task.WhenAny(connect, Task.Delay(timeout, ct)).ConfigureAwait(false) != connect)
                {
                    ct.ThrowIfCancellationRequested();
                    throw new TimeoutException($"no connection within {timeout.TotalSeconds:0.#} s");
                }

                await connect.ConfigureAwait(false);
                check.Address ??= (tcp.Client.RemoteEndPoint as IPEndPoint)?.Address is IPAddress a ? (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToString() : null;
                using var tls = new SslStream(tcp.GetStream(), false, (sender, certificate, chain, errors) =>
                {
                    if (certificate != null) served = new X509Certificate2(certificate);
                    if (chain != null)
                    {
                        foreach (X509ChainElement element in chain.ChainElements) extra.Add(new X509Certificate2(element.Certificate));
                    }

                    return true; // judged below, against the roots asked for
                });
                Task handshake = tls.AuthenticateAsClientAsync(name, new X509CertificateCollection(), SslProtocols.Tls12 | (SslProtocols)12288 /* Tls13 */, false);
                if (await Task.WhenAny(handshake, Task.Delay(timeout, ct)).ConfigureAwait(false) != handshake)
                {
                    ct.ThrowIfCancellationRequested();
                    throw new TimeoutException($"no TLS handshake within {timeout.TotalSeconds:0.#} s");
                }

                await handshake.ConfigureAwait(false);
            }
            catch (Exception ex) when (served == null && (ex is SocketException || ex is TimeoutException || ex is AuthenticationException || ex is System.IO.IOException || ex is ArgumentException))
            {
                check.Status = "Unreachable";
                check.Message = $"{name}: no certificate could be read from {address ?? name}:{port} ({ex.Message}).";
                return check;
            }
            catch (Exception ex) when (served != null && (ex is AuthenticationException || ex is System.IO.IOException))
            {
                // The server sent its certificate, then the handshake failed (e.g. no common protocol): judge the certificate anyway.
            }

            if (served == null)
            {
                check.Status = "Unreachable";
                check.Message = $"{name}: the server at {address ?? name}:{port} presented no certificate.";
                return check;
            }

            Judge(check, served, extra, trustedRoots, nowUtc, chains);
            return check;
        }

        internal static void Judge(RunCloudCertificateCheck check, X509Certificate2 served, X509Certificate2Collection extra,
            IReadOnlyCollection<X509Certificate2>? trustedRoots, DateTime nowUtc,
            System.Collections.Concurrent.ConcurrentDictionary<string, (bool Valid, string? Status)>? chains = null)
        {
            check.Subject = served.Subject;
            check.Issuer = served.Issuer;
            check.NotBefore = served.NotBefore.ToUniversalTime();
            check.NotAfter = served.NotAfter.ToUniversalTime();
            check.DaysRemaining = RunCloudSsl.DaysUntil(check.NotAfter, nowUtc);
            check.Thumbprint = served.Thumbprint;
            check.SubjectNames = SubjectAltNames.DnsNames(served).ToArray();
            if (check.SubjectNames.Length == 0)
            {
                string cn = served.GetNameInfo(X509NameType.SimpleName, false);
                if (!string.IsNullOrEmpty(cn)) check.SubjectNames = new[] { cn };
            }

            (check.ChainValid, check.ChainStatus) = chains == null
                ? ValidateChain(served, extra, trustedRoots)
                : chains.GetOrAdd(served.Thumbprint + "|" + string.Join(",", extra.Cast<X509Certificate2>().Select(c => c.Thumbprint)), _ => ValidateChain(served, extra, trustedRoots));
            bool named = check.SubjectNames.Any(n => SubjectAltNames.Matches(n, check.Name));
            if (!named)
            {
                check.Status = "NameMismatch";
                check.Message = $"{check.Name} is not covered: the certificate served names {string.Join(", ", check.SubjectNames.Take(5))}{(check.SubjectNames.Length > 5 ? $" (+{check.SubjectNames.Length - 5})" : string.Empty)}. Issue or redeploy its certificate (Reset-RunCloudSsl).";
            }
            else if (nowUtc > check.NotAfter)
            {
                check.Status = "Expired";
                check.Message = $"{check.Name}: the certificate expired on {check.NotAfter:u}. Redeploy it (Reset-RunCloudSsl).";
            }
            else if (nowUtc < check.NotBefore)
            {
                check.Status = "NotYetValid";
                check.Message = $"{check.Name}: the certificate is valid only from {check.NotBefore:u}; check the server's clock.";
            }
            else if (!check.ChainValid)
            {
                check.Status = "Untrusted";
                check.Message = $"{check.Name}: the certificate names it, but its chain is not trusted ({check.ChainStatus}). A staging or self-signed certificate? Pass -TrustedRoot for a private CA.";
            }
            else
            {
                check.Status = "Covered";
                check.Covered = true;
                check.Message = $"{check.Name} is covered until {check.NotAfter:u} ({check.DaysRemaining} days), issued by {served.GetNameInfo(X509NameType.SimpleName, true)}.";
            }
        }

        private static (bool Valid, string? Status) ValidateChain(X509Certificate2 served, X509Certificate2Collection extra, IReadOnlyCollection<X509Certificate2>? trustedRoots)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // offline-friendly; revocation is not what this check is about
            chain.ChainPolicy.ExtraStore.AddRange(extra);
            if (trustedRoots != null && trustedRoots.Count > 0)
            {
                foreach (X509Certificate2 root in trustedRoots) chain.ChainPolicy.ExtraStore.Add(root);
                chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            }

            bool built = chain.Build(served);
            X509Certificate2 top = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
            if (trustedRoots != null && trustedRoots.Count > 0)
            {
                // Built (ignoring "unknown authority") AND ending in one of the given roots: nothing else is trusted.
                bool endsInGiven = trustedRoots.Any(r => string.Equals(r.Thumbprint, top.Thumbprint, StringComparison.OrdinalIgnoreCase));
                var problems = chain.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.UntrustedRoot && s.Status != X509ChainStatusFlags.NoError).ToList();
                if (built && endsInGiven && problems.Count == 0) return (true, null);
                string why = !endsInGiven ? $"it ends in {top.Subject}, not in a -TrustedRoot" : string.Join("; ", problems.Select(p => p.StatusInformation.Trim()));
                return (false, why);
            }

            return built ? (true, null) : (false, string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0)));
        }
    }
}
