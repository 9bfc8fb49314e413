using System;
using System.Collections.Generic;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Adds domain names to a web application. Each name is checked and normalised before any call; a name already
    /// on the app is a warning, not an error; -ResetSsl redeploys the certificate once at the end.
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "RunCloudDomain", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpUris.Base + "Add-RunCloudDomain.md")]
    [OutputType(typeof(RunCloudDomain))]
    public sealed class AddRunCloudDomainCommand : RunCloudWebAppCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Domain", "DomainName", "HostName")]
        [AllowEmptyString]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Serve www.&lt;name&gt; too. Ignored (with a warning) for a name that already starts with www. Binds from a
        /// Www column of Import-Csv (true/false, 1/0, yes/no), as -Redirection and -Type bind from theirs.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [YesNoTransformation]
        public SwitchParameter Www { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EmptyAsDefault("none")]
        [ValidateSet("none", "www", "non-www", IgnoreCase = true)]
        public string Redirection { get; set; } = "none";

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EmptyAsDefault("alias", Foreign = new[] { "custom", "wordpress" })]
        [ValidateSet("alias", "primary", "redirect", IgnoreCase = true)]
        public string Type { get; set; } = "alias";

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>After all names are processed, redeploy the web app's SSL certificate once if anything was added.</summary>
        [Parameter]
        public SwitchParameter ResetSsl { get; set; }

        private const string Command = "Add-RunCloudDomain";

        /// <summary>
        /// Top-level domains to accept besides those of the public suffix list (a private network's lan or internal).
        /// Without it a name with any other last label is refused (a name cut short or mistyped).
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? AllowTld { get; set; }

        private HashSet<string>? _allowTld;

        /// <summary>Request certificates without checking that the names point at the server (split-horizon DNS, proxies). Also RUNCLOUD_SKIP_DNS_CHECK=1.</summary>
        [Parameter]
        public SwitchParameter SkipDnsCheck { get; set; }

        /// <summary>DNS servers (address or address:port) to ask whether the names point at the server, instead of the system's resolver.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DnsServer { get; set; }

        /// <summary>Order a certificate even past Let's Encrypt's 5 duplicates (same names) in 7 days.</summary>
        [Parameter]
        public SwitchParameter AllowDuplicateCertificate { get; set; }

        private readonly ChangedApps _changed = new ChangedApps();

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            if (ResetSsl && !IsWhatIf())
            {
                _changed.Touch(connection, serverId, webAppId);
                EnterApp(Command, connection, serverId, webAppId, _changed);
            }

            foreach (string raw in Name)
            {
                if (!DomainName.TryNormalize(raw, out string name, out string problem))
                {
                    WriteError(Invalid(ErrorIds.InvalidDomainName, problem, raw));
                    continue;
                }

                // A name whose top-level domain does not exist is never added: it was cut short or mistyped.
                string? unknownTld = DomainName.TopLevelDomainProblem(name, _allowTld);
                if (unknownTld != null)
                {
                    WriteError(Invalid(ErrorIds.InvalidDomainName, unknownTld, raw));
                    continue;
                }

                bool www = Www.IsPresent;
                if (www && name.StartsWith("www.", StringComparison.Ordinal))
                {
                    WriteWarning($"{name} already starts with www., so -Www is ignored for it (no www.www. name is requested).");
                    www = false;
                }

                if (!Ask($"{name} on web app {webAppId} (server {serverId})", "Add domain"))
                {
                    // Under -WhatIf the plan goes on as if confirmed, so -ResetSsl shows its SSL step too.
                    if (IsWhatIf()) _changed.Record(connection, serverId, webAppId, null);
                    continue;
                }

                var request = new DomainRequest { Name = name, Www = www, Redirection = Redirection.ToLowerInvariant(), Type = Type.ToLowerInvariant() };
                if (ResetSsl) OweSsl(Command, connection, serverId, webAppId, $"{Command} adds {name}");
                try
                {
                    AddResult result = Run(ct => service.AddDomainAsync(serverId, webAppId, request, ct, lookUpExisting: PassThru || ResetSsl));
                    if (result.Outcome == AddOutcome.AlreadyExists)
                    {
                        WriteWarning($"{name} is already on web app {webAppId}; nothing was added.");
                    }
                    else
                    {
                        _changed.Record(connection, serverId, webAppId, result.Domain ?? new RunCloudDomain { Name = name, ServerId = serverId, WebAppId = webAppId });
                        if (ResetSsl && result.Domain != null) OweSsl(Command, connection, serverId, webAppId, $"{Command} adds {name}", result.Domain);
                        WriteVerbose($"RunCloud: added {name} to web app {webAppId}" + (result.Outcome == AddOutcome.Recovered ? " (confirmed after an ambiguous failure)." : "."));
                    }

                    if (PassThru && result.Domain != null) WriteObject(result.Domain);
                }
                catch (RunCloudApiException ex)
                {
                    WriteApiError(ex, name);
                }
            }
        }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            try
            {
                _allowTld = DomainName.ParseTlds(AllowTld, "-AllowTld");
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, ex.Message + " Nothing was changed.", AllowTld));
            }
        }

        protected override void EndProcessing()
        {
            if (ResetSsl) RedeployChangedApps(Command, _changed, force: false, BuildSslOptions(SkipDnsCheck, DnsServer, AllowDuplicateCertificate));
        }
    }
}
