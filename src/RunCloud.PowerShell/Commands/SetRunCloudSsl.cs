using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

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

        /// <summary>The TLS protocol choice by its name as RunCloud lists it (e.g. 'TLSv1.2 + TLSv1.3').</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.SslProtocolCompleter))]
        public string? SslProtocol { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            if (EnableHttp == null && EnableHsts == null && SslProtocolId == null && SslProtocol == null)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput,
                    "Nothing to change: pass -EnableHttp, -EnableHsts, -SslProtocolId or -SslProtocol (e.g. Set-RunCloudSsl -EnableHsts $true).", null));
            }

            if (SslProtocolId != null && SslProtocol != null)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, "-SslProtocolId and -SslProtocol name the same setting; pass one of them.", SslProtocol));
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
                    WriteError(new ErrorRecord(new InvalidOperationException($"The {target} has no SSL certificate, so there are no settings to change. Install one with Reset-RunCloudSsl (which takes -EnableHsts and -EnableHttp)."),
                        ErrorIds.SslNotInstalled, ErrorCategory.ObjectNotFound, target));
                    return;
                }

                Func<string, bool>? byName = NameFilter(Domain);
                List<RunCloudDomain> domains = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct)).Where(d => byName == null || byName(d.Name)).ToList();
                if (Domain != null && domains.Count == 0)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No domain of web app {webAppId} matches {string.Join(", ", Domain)}."),
                        ErrorIds.DomainNotFound, ErrorCategory.ObjectNotFound, Domain));
                    return;
                }

                foreach (RunCloudDomain domain in domains)
                {
                    try
                    {
                        RunCloudSsl current = Run(ct => service.GetDomainSslAsync(domain, ct));
                        if (!current.Installed || !current.Id.HasValue)
                        {
                            if (Domain != null)
                            {
                                WriteError(new ErrorRecord(new InvalidOperationException($"{domain.Name} has no certificate of its own yet; nothing was changed. Issue one with Reset-RunCloudSsl -Domain {domain.Name}."),
                                    ErrorIds.SslNotInstalled, ErrorCategory.ObjectNotFound, domain));
                            }

                            continue;
                        }

                        if (!Ask($"the certificate of {domain.Name}", "Set " + change)) continue;
                        Run(ct => service.PatchDomainSslAsync(domain, current.Id.Value, fields, ct));
                        if (PassThru) WriteObject(Run(ct => service.GetDomainSslAsync(domain, ct)));
                    }
                    catch (RunCloudApiException ex)
                    {
                        WriteApiError(ex, domain);
                    }
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteApiError(ex, target);
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
                    : _protocols.Where(p => string.Equals(p.Name, SslProtocol, StringComparison.OrdinalIgnoreCase)).Select(p => ((long, string)?)p).FirstOrDefault();
                if (match == null)
                {
                    ThrowTerminatingError(Invalid(ErrorIds.InvalidInput,
                        $"'{(object?)SslProtocolId ?? SslProtocol}' is not one of RunCloud's TLS protocol choices (GET static/ssl/protocols): {choices}. Pass one of these ids to -SslProtocolId.",
                        (object?)SslProtocolId ?? SslProtocol));
                }

                fields["ssl_protocol_id"] = match!.Value.Id;
            }

            return fields;
        }
    }
}
