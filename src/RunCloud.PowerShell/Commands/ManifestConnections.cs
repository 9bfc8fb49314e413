using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Sources;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Opens the connections a manifest's "connections" map describes, so a manifest runs unattended: one per name, the
    /// first time a target needs it, for the rest of the command (closed when it ends). A connection already open in the
    /// session under the same name wins (the caller looks there first). The credential comes from SecretManagement, an
    /// environment variable the manifest names, or an Export-Clixml file (under systemd, the copy LoadCredential= passed
    /// in $CREDENTIALS_DIRECTORY/&lt;name&gt;). Nothing is sent to RunCloud to open one: a refused credential shows on the
    /// target's first request, as it would after Connect-RunCloud -SkipValidation.
    /// </summary>
    internal sealed class ManifestConnections : IDisposable
    {
        /// <summary>Where systemd puts the credentials a unit's LoadCredential= names (systemd.exec(5)).</summary>
        internal const string CredentialsDirectoryVariable = "CREDENTIALS_DIRECTORY";

        private readonly FleetManifest _manifest;
        private readonly string _directory;
        private readonly Dictionary<string, RunCloudConnection> _opened = new Dictionary<string, RunCloudConnection>(StringComparer.OrdinalIgnoreCase);

        public ManifestConnections(FleetManifest manifest, string directory)
        {
            _manifest = manifest;
            _directory = directory;
        }

        /// <summary>The connections opened so far (for redaction and the run's log).</summary>
        public IEnumerable<RunCloudConnection> Opened => _opened.Values;

        /// <summary>
        /// The connection the manifest defines under <paramref name="name"/>, opened now or earlier in this command; null when
        /// the manifest does not define it. A credential that cannot be read stops the command before any request.
        /// </summary>
        public RunCloudConnection? OpenOrStop(string name, RunCloudCmdlet cmdlet)
        {
            try
            {
                return Open(name, cmdlet);
            }
            catch (ManifestConnectionException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Create(ex, ex.ErrorId, ex.Category, name, ex.Message));
                return null;
            }
        }

        /// <summary>As <see cref="OpenOrStop"/>, but a credential or address that cannot be used throws <see cref="ManifestConnectionException"/>.</summary>
        public RunCloudConnection? Open(string name, RunCloudCmdlet cmdlet)
        {
            if (_opened.TryGetValue(name, out RunCloudConnection? open)) return open;
            if (!_manifest.Connections.TryGetValue(name, out ManifestConnection? spec)) return null;

            string usedBy = $"Manifest {_manifest.Source}: {spec.Describe()}";
            ResolvedCredential resolved;
            try
            {
                resolved = spec.Kind switch
                {
                    ManifestConnectionKind.Vault => SecretVaultReader.Read(cmdlet, spec.Vault!, spec.SecretName!),
                    ManifestConnectionKind.EnvironmentVariable => CredentialResolver.FromTokenVariable(spec.TokenEnvironmentVariable!, Environment.GetEnvironmentVariable, usedBy),
                    _ => CredentialFile.Read(CredentialFilePath(spec), usedBy),
                };
            }
            catch (CredentialNotFoundException ex)
            {
                string message = (ex.Message.StartsWith(usedBy, StringComparison.Ordinal) ? ex.Message : usedBy + ": " + ex.Message) + " Nothing was changed.";
                throw new ManifestConnectionException(message, ErrorIds.CredentialsNotFound, ErrorCategory.AuthenticationError, ex);
            }

            string? version = spec.ApiVersion;
            if (version == null && !EndsInVersion(spec.BaseUri))
            {
                version = resolved.Credential.Kind == RunCloudAuthenticationKind.Token ? "v3" : "v2";
            }

            Uri baseUri;
            try
            {
                baseUri = RunCloudConnection.ResolveBaseUri(spec.BaseUri, ref version);
                if (version == "v3" && resolved.Credential.Kind == RunCloudAuthenticationKind.ApiKey)
                {
                    throw new ArgumentException("RunCloud API v3 accepts only an API token (Bearer); an API key and secret need \"apiVersion\": \"v2\".");
                }
            }
            catch (ArgumentException ex)
            {
                string message = $"{usedBy}: {ex.Message.Replace("-BaseUri", "baseUri").Replace("-ApiVersion", "apiVersion")} Nothing was changed.";
                throw new ManifestConnectionException(message, ErrorIds.InvalidManifest, ErrorCategory.InvalidData, ex);
            }

            var retry = new RetryPolicy();
            RateLimiter limiter = AccountRateLimiters.For(baseUri, resolved.Credential.Identity, 60, TimeSpan.FromMinutes(1));
            ApiUsageMeter usage = LedgerUsageStore.MeterFor(baseUri, resolved.Credential);
            if (spec.MonthlyQuota.HasValue)
            {
                usage.MonthlyQuota = spec.MonthlyQuota.Value;
                usage.StopShare = (spec.QuotaStopPercent ?? 90) / 100.0;
            }

            var connection = new RunCloudConnection(baseUri, version!, resolved.Credential, resolved.Source, retry, 60, TimeSpan.FromMinutes(1), null, limiter: limiter, usage: usage)
            {
                Name = name,
            };
            _opened[name] = connection;
            cmdlet.WriteVerbose($"RunCloud: opened connection '{name}' from the manifest: credentials from {resolved.Source}; {connection.AuthenticationKind} {connection.KeyId}; API {connection.ApiVersion} at {connection.BaseUri}.");
            return connection;
        }

        /// <summary>
        /// The credential file to read: systemd's copy when the unit passed one with LoadCredential=&lt;name&gt;:..., else the
        /// manifest's path (relative paths from the manifest's folder).
        /// </summary>
        private string CredentialFilePath(ManifestConnection spec)
        {
            string? loaded = Environment.GetEnvironmentVariable(CredentialsDirectoryVariable);
            if (!string.IsNullOrEmpty(loaded))
            {
                string candidate = Path.Combine(loaded!, spec.Name);
                if (File.Exists(candidate)) return candidate;
            }

            return Path.IsPathRooted(spec.CredentialPath!) ? spec.CredentialPath! : Path.GetFullPath(Path.Combine(_directory, spec.CredentialPath!));
        }

        private static bool EndsInVersion(string? baseUri) =>
            baseUri != null && (baseUri.TrimEnd('/').EndsWith("/api/v2", StringComparison.OrdinalIgnoreCase) || baseUri.TrimEnd('/').EndsWith("/api/v3", StringComparison.OrdinalIgnoreCase));

        /// <summary>Closes what this command opened; a request still in flight finishes.</summary>
        public void Dispose()
        {
            foreach (RunCloudConnection c in _opened.Values) c.Dispose();
            _opened.Clear();
        }
    }
}
