using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Ssl;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Changes a certificate's settings in place, without a new issuance: HTTP redirect (EnableHttp), HSTS and the TLS
    /// protocol (ssl_protocol_id, checked against GET static/ssl/protocols). PATCH .../ssl/{id} in basic mode, or
    /// PATCH .../domains/{d}/ssl/{ssl} for each domain (-Domain) in advanced mode.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "RunCloudSsl", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
        HelpUri = HelpUris.Base + "Set-RunCloudSsl.md")]
    [OutputType(typeof(RunCloudSsl))]
    public sealed class SetRunCloudSslCommand : RunCloudWebAppCmdlet
    {
        private List<(long Id, string Name)>? _protocols;

        /// <summary>Error id: in advanced SSL mode a domain's certificate settings cannot be changed in place (RunCloud documents no such call).</summary>
        public const string SettingsNotSupportedErrorId = "RunCloudSslSettingsNotSupported";

        /// <summary>Advanced SSL mode: only these domains' certificates (wildcards allowed); default all.</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Domain { get; set; }

        /// <summary>$true: keep serving plain http beside https; $false: redirect http to https.</summary>
        [Parameter]
        public bool? EnableHttp { get; set; }

        /// <summary>HTTP Strict Transport Security on or off.</summary>
        [Parameter]
        public bool? EnableHsts { get; set; }

        /// <summary>The TLS protocol choice by id, one of GET static/ssl/protocols.</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        [ArgumentCompleter(typeof(Completion.SslProtocolCompleter))]
        public long? SslProtocolId { get; set; }

        /// <summary>
        /// The TLS protocol choice by its name as RunCloud lists it (e.g. 'TLSv1.2 TLSv1.3'), or one version meaning that
        /// version and newer ('TLSv1.2'); checked against GET static/ssl/protocols.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.SslProtocolCompleter))]
        public string? SslProtocol { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (EnableHttp == null && EnableHsts == null && SslProtocolId == null && SslProtocol == null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                    "Nothing to change: pass -EnableHttp, -EnableHsts, -SslProtocolId or -SslProtocol (e.g. Set-RunCloudSsl -EnableHsts $true).", null));
            }

            if (SslProtocolId != null && SslProtocol != null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-SslProtocolId and -SslProtocol name the same setting; pass one of them.", SslProtocol));
            }
        }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            string target = $"web app {webAppId} on server {serverId}";
            try
            {
                Dictionary<string, object?> fields = Fields(service);
                string change = string.Join(", ", fields.Select(f => $"{f.Key} = {Convert.ToString(f.Value, CultureInfo.InvariantCulture)}"));
                RunCloudSsl ssl = Run(ct => service.GetSslAsync(serverId, webAppId, ct));
                if (ssl.Installed && ssl.Id.HasValue)
                {
                    if (!Ask($"SSL certificate {ssl.Id} of the {target}", "Set " + change)) return;
                    Run(ct => service.PatchSslAsync(serverId, webAppId, ssl.Id.Value, fields, ct));
                    if (PassThru) WriteObject(Run(ct => service.GetSslAsync(serverId, webAppId, ct)));
                    return;
                }

                if (!Run(ct => service.GetSslModeAsync(serverId, webAppId, ct)).Advanced)
                {
                    WriteError(ErrorRecords.Failed(ErrorIds.SslNotInstalled, $"The {target} has no SSL certificate, so there are no settings to change. Install one with Reset-RunCloudSsl (which takes -EnableHsts and -EnableHttp).",
                        ErrorCategory.ObjectNotFound, target));
                    return;
                }

                Func<string, bool>? byName = NameMatcher.Filter(Domain);
                List<RunCloudDomain> domains = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct)).Where(d => byName == null || byName(d.Name)).ToList();
                if (Domain != null && domains.Count == 0)
                {
                    WriteError(ErrorRecords.NotFound(ErrorIds.DomainNotFound, $"No domain of web app {webAppId} matches {string.Join(", ", Domain)}.", Domain));
                    return;
                }

                // RunCloud's v3 reference shows the per-domain PATCH with {"advancedSSL","autoSSL"} only: no source shows it
                // taking enableHttp, enableHsts or ssl_protocol_id, so they are not sent there (a setting RunCloud ignored
                // would look changed and not be). A domain's certificate takes its settings when it is issued.
                List<string> names = domains.Select(d => d.Name).ToList();
                string shown = string.Join(", ", names.Take(5)) + (names.Count > 5 ? $" and {names.Count - 5} more" : string.Empty);
                string example = names.Count == 1 ? names[0] : "<domain>";
                string message = $"The {target} uses advanced SSL (one certificate per domain), and RunCloud documents no way to change a domain's certificate settings in place: "
                    + $"its per-domain PATCH takes only advancedSSL and autoSSL. Nothing was changed on {shown}. "
                    + "A domain's certificate takes -EnableHttp and -EnableHsts when it is issued: reinstall it with the settings you want (a new Let's Encrypt order).";
                WriteError(ErrorRecords.Create(new NotSupportedException(message), SettingsNotSupportedErrorId, ErrorCategory.NotImplemented, target, message,
                    $"Reset-RunCloudSsl -ServerId {serverId} -WebAppId {webAppId} -Name '{example}' -Reinstall"
                        + (EnableHsts == true ? " -EnableHsts" : string.Empty) + (EnableHttp == true ? " -EnableHttp" : string.Empty)));
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, target));
            }
        }

        /// <summary>The PATCH body: only the settings given; a protocol is checked against RunCloud's list first.</summary>
        private Dictionary<string, object?> Fields(RunCloudService service)
        {
            var fields = new Dictionary<string, object?>();
            if (EnableHttp.HasValue) fields["enableHttp"] = EnableHttp.Value;
            if (EnableHsts.HasValue) fields["enableHsts"] = EnableHsts.Value;
            if (SslProtocolId != null || SslProtocol != null)
            {
                _protocols ??= Run(ct => service.GetSslProtocolsAsync(ct));
                string choices = string.Join(", ", _protocols.Select(p => $"{p.Id} ({p.Name})"));
                (long Id, string Name)? match = SslProtocolId != null
                    ? _protocols.Where(p => p.Id == SslProtocolId.Value).Select(p => ((long, string)?)p).FirstOrDefault()
                    : SslProtocolMatch.Find(_protocols, SslProtocol!);
                if (match == null)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                        $"'{(object?)SslProtocolId ?? SslProtocol}' is not one of RunCloud's TLS protocol choices (GET static/ssl/protocols): {choices}. "
                        + "Pass one of these names to -SslProtocol (a single version such as TLSv1.2 means that version and newer) or an id to -SslProtocolId. Nothing was changed.",
                        (object?)SslProtocolId ?? SslProtocol));
                }

                fields["ssl_protocol_id"] = match!.Value.Id;
            }

            return fields;
        }
    }
}
