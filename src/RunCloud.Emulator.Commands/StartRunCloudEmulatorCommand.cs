using System;
using System.Management.Automation;

namespace RunCloud.Emulator.Commands
{
    /// <summary>Starts an in-process RunCloud API emulator on 127.0.0.1 and returns it (BaseUri, ApiKey, ApiSecret, Token, Port...).</summary>
    [Cmdlet(VerbsLifecycle.Start, "RunCloudEmulator", SupportsShouldProcess = true, HelpUri = "https://github.com/runcloud-powershell/RunCloud.PowerShell/blob/main/docs/help/" + "Start-RunCloudEmulator.md")]
    [OutputType(typeof(RunCloudEmulator))]
    public sealed class StartRunCloudEmulatorCommand : PSCmdlet
    {
        [Parameter] [ValidateRange(0, 65535)] public int Port { get; set; }
        [Parameter] [ValidateNotNullOrEmpty] public string? StatePath { get; set; }
        [Parameter] [ValidateRange(0, int.MaxValue)] public int RateLimitPerMinute { get; set; } = 60;
        [Parameter] [ValidateRange(1, 86400)] public int RateLimitWindowSeconds { get; set; } = 60;
        [Parameter] [ValidateRange(0, int.MaxValue)] public int DomainLimit { get; set; }
        [Parameter] public SwitchParameter NoDefaultData { get; set; }
        /// <summary>Let's Encrypt's names-per-certificate limit (100); 0 = none.</summary>
        [Parameter] [ValidateRange(0, int.MaxValue)] public int MaxNamesPerCertificate { get; set; } = 100;
        /// <summary>Let's Encrypt's duplicate-certificate limit (5 per 7 days); 0 = none.</summary>
        [Parameter] [ValidateRange(0, int.MaxValue)] public int DuplicateCertificateLimit { get; set; } = 5;
        /// <summary>Let's Encrypt's new-orders limit (300 per 3 hours, failed orders included); 0 = none.</summary>
        [Parameter] [ValidateRange(0, int.MaxValue)] public int NewOrdersLimit { get; set; } = 300;
        /// <summary>Let's Encrypt's failed-validation limit (5 per host name per hour); 0 = none.</summary>
        [Parameter] [ValidateRange(0, int.MaxValue)] public int FailedValidationLimit { get; set; } = 5;
        /// <summary>Answer DNS (UDP) from the emulator's DNS table on this loopback port (0 = a free one); not given = none.</summary>
        [Parameter] [ValidateRange(0, 65535)] public int DnsPort { get; set; }
        /// <summary>Serve TLS for the emulator's domains on this loopback port (0 = a free one); not given = no TLS endpoint.</summary>
        [Parameter] [ValidateRange(0, 65535)] public int TlsPort { get; set; }

        /// <summary>Let's Encrypt's certificates-per-registered-domain limit (50 per 7 days); 0 = none.</summary>
        [Parameter] [ValidateRange(0, int.MaxValue)] public int CertificatesPerDomainLimit { get; set; } = 50;
        /// <summary>The words of a 404 for an unknown id: Laravel (default), Plain or Descriptive.</summary>
        [Parameter] public NotFoundWording NotFoundWording { get; set; } = NotFoundWording.Laravel;
        /// <summary>Switching SSL mode with a certificate installed: RequireUninstall (default) or InPlace.</summary>
        [Parameter] public SslModeSwitch SslModeSwitch { get; set; } = SslModeSwitch.RequireUninstall;
        /// <summary>A second per-domain SSL install: Refuse (default) or Reissue.</summary>
        [Parameter] public PerDomainReinstall PerDomainReinstall { get; set; } = PerDomainReinstall.Refuse;
        /// <summary>Answer GET static/ssl/protocols without webServer=nginx (RunCloud's reference always sends it).</summary>
        [Parameter] public SwitchParameter AllowProtocolsWithoutWebServer { get; set; }
        /// <summary>Status of GET .../ssl when no certificate is installed (default 404).</summary>
        [Parameter] [ValidateSet("200", "404")] public int NoSslStatusCode { get; set; } = 404;
        /// <summary>Default perPage on /api/v2/ (15).</summary>
        [Parameter] [ValidateRange(1, 1000)] public int DefaultPerPageV2 { get; set; } = 15;
        /// <summary>Default perPage on /api/v3/ (20).</summary>
        [Parameter] [ValidateRange(1, 1000)] public int DefaultPerPageV3 { get; set; } = 20;
        /// <summary>Largest perPage; more is clamped to it (40).</summary>
        [Parameter] [ValidateRange(1, 1000)] public int MaxPerPage { get; set; } = 40;
        /// <summary>More valid Bearer tokens, each its own account (log Account token2, token3...).</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string[]? AdditionalToken { get; set; }

        protected override void EndProcessing()
        {
            var target = Port == 0 ? "127.0.0.1 (free port)" : "127.0.0.1:" + Port;
            if (!ShouldProcess(target, "Start RunCloud API emulator")) return;
            var options = new EmulatorOptions
            {
                Port = Port,
                StatePath = StatePath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StatePath),
                RateLimitPerWindow = RateLimitPerMinute,
                RateLimitWindow = TimeSpan.FromSeconds(RateLimitWindowSeconds),
                DomainLimit = DomainLimit,
                SeedDefaultData = !NoDefaultData.IsPresent,
                MaxNamesPerCertificate = MaxNamesPerCertificate,
                DuplicateCertificateLimit = DuplicateCertificateLimit,
                NewOrdersLimit = NewOrdersLimit,
                FailedValidationLimit = FailedValidationLimit,
                TlsPort = MyInvocation.BoundParameters.ContainsKey(nameof(TlsPort)) ? TlsPort : (int?)null,
                DnsPort = MyInvocation.BoundParameters.ContainsKey(nameof(DnsPort)) ? DnsPort : (int?)null,
                CertificatesPerDomainLimit = CertificatesPerDomainLimit,
                NotFoundWording = NotFoundWording,
                SslModeSwitch = SslModeSwitch,
                PerDomainReinstall = PerDomainReinstall,
                ProtocolsRequireWebServer = !AllowProtocolsWithoutWebServer.IsPresent,
                NoSslStatusCode = NoSslStatusCode,
                DefaultPerPageV2 = DefaultPerPageV2,
                DefaultPerPageV3 = DefaultPerPageV3,
                MaxPerPage = MaxPerPage,
            };
            if (AdditionalToken != null) options.AdditionalTokens.AddRange(AdditionalToken);
            RunCloudEmulator emulator;
            try
            {
                emulator = RunCloudEmulator.Start(options);
            }
            catch (Exception ex) when (ErrorRecords.IsStartFailure(ex))
            {
                ThrowTerminatingError(ErrorRecords.StartFailed(ex, target));
                return;
            }
            EmulatorSession.Add(emulator);
            WriteVerbose($"RunCloud emulator listening on {emulator.BaseUri} (key {emulator.ApiKey}).");
            WriteObject(emulator);
        }
    }
}
