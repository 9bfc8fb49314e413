using RunCloud.Emulator;

// Standalone RunCloud API emulator:
//   dotnet run --project src/RunCloud.Emulator.Server -- --port 8080 [--state file.json] [--rate-limit 60]
//       [--rate-window-seconds 60] [--domain-limit N] [--no-default-data] [--save-on-exit] [--write-example file.json]
//       [--tls-port N] [--max-names-per-certificate 100] [--duplicate-certificate-limit 5] (all flags: --help;
//       every rule the README's table marks "chosen" has one)
var options = new EmulatorOptions();
bool saveOnExit = false;
string? writeExample = null;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--port": options.Port = int.Parse(Next()); break;
            case "--state": options.StatePath = Next(); break;
            case "--rate-limit": options.RateLimitPerWindow = int.Parse(Next()); break;
            case "--rate-window-seconds": options.RateLimitWindow = TimeSpan.FromSeconds(double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture)); break;
            case "--domain-limit": options.DomainLimit = int.Parse(Next()); break;
            case "--no-ssl-status": options.NoSslStatusCode = int.Parse(Next()); break;
            case "--no-default-data": options.SeedDefaultData = false; break;
            case "--save-on-exit": saveOnExit = true; break;
            case "--tls-port": options.TlsPort = int.Parse(Next()); break;
            case "--dns-port": options.DnsPort = int.Parse(Next()); break;
            case "--max-names-per-certificate": options.MaxNamesPerCertificate = int.Parse(Next()); break;
            case "--duplicate-certificate-limit": options.DuplicateCertificateLimit = int.Parse(Next()); break;
            case "--new-orders-limit": options.NewOrdersLimit = int.Parse(Next()); break;
            case "--failed-validation-limit": options.FailedValidationLimit = int.Parse(Next()); break;
            case "--certificates-per-domain-limit": options.CertificatesPerDomainLimit = int.Parse(Next()); break;
            case "--not-found-wording": options.NotFoundWording = Enum.Parse<NotFoundWording>(Next(), true); break;
            case "--ssl-mode-switch": options.SslModeSwitch = Enum.Parse<SslModeSwitch>(Next(), true); break;
            case "--per-domain-reinstall": options.PerDomainReinstall = Enum.Parse<PerDomainReinstall>(Next(), true); break;
            case "--protocols-without-web-server": options.ProtocolsRequireWebServer = false; break;
            case "--per-page-v2": options.DefaultPerPageV2 = int.Parse(Next()); break;
            case "--per-page-v3": options.DefaultPerPageV3 = int.Parse(Next()); break;
            case "--max-per-page": options.MaxPerPage = int.Parse(Next()); break;
            case "--additional-token": options.AdditionalTokens.Add(Next()); break;
            case "--write-example": writeExample = Next(); break;
            case "-h": case "--help":
                Console.WriteLine("RunCloud.Emulator.Server [--port N] [--state file.json] [--rate-limit N] [--rate-window-seconds N] [--domain-limit N] [--no-ssl-status CODE] [--no-default-data] [--save-on-exit] [--write-example file.json] [--tls-port N] [--dns-port N] [--max-names-per-certificate N] [--duplicate-certificate-limit N] [--new-orders-limit N] [--failed-validation-limit N] [--certificates-per-domain-limit N] [--not-found-wording Laravel|Plain|Descriptive] [--ssl-mode-switch RequireUninstall|InPlace] [--per-domain-reinstall Refuse|Reissue] [--protocols-without-web-server] [--per-page-v2 N] [--per-page-v3 N] [--max-per-page N] [--additional-token T]");
                return 0;
            default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
        }
    }
}
catch (Exception ex) when (ex is ArgumentException || ex is FormatException || ex is OverflowException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

if (writeExample != null)
{
    var state = new EmulatorState();
    state.SeedDefaults();
    state.Save(writeExample);
    Console.WriteLine($"Wrote the default state to {writeExample}");
    return 0;
}

using var emulator = RunCloudEmulator.Start(options);
Console.WriteLine($"RunCloud API emulator listening on {emulator.BaseUri}");
Console.WriteLine($"  v2: {emulator.BaseUri}api/v2/   (Basic key:secret or Bearer token)");
Console.WriteLine($"  v3: {emulator.BaseUri}api/v3/   (Bearer token)");
Console.WriteLine($"  API key:    {emulator.ApiKey}");
Console.WriteLine($"  API secret: {emulator.ApiSecret}");
Console.WriteLine($"  API token:  {emulator.Token}");
Console.WriteLine($"  Server {EmulatorDefaults.ServerId}, web app {EmulatorDefaults.WebAppId} ('{EmulatorDefaults.WebAppName}', SSL), {EmulatorDefaults.NoSslWebAppId} ('{EmulatorDefaults.NoSslWebAppName}', no SSL)");
Console.WriteLine($"  Admin: {emulator.BaseUri}_emulator/state | requests | faults | coverage/{{s}}/{{w}} | dns | dns-query?name= | clock | issuances");
if (emulator.DnsPort != 0) Console.WriteLine($"  DNS: 127.0.0.1:{emulator.DnsPort}/udp (dig @127.0.0.1 -p {emulator.DnsPort} shop.example.com)");
if (emulator.TlsPort != 0)
{
    Console.WriteLine($"  TLS: 127.0.0.1:{emulator.TlsPort} (SNI = a domain; certificates follow the SSL state). Test CA:");
    Console.Write(emulator.TlsCertificateAuthorityPem);
}
Console.WriteLine("Press Ctrl+C to stop.");
using var done = new ManualResetEventSlim();
// Ctrl+C, SIGINT and SIGTERM all end the wait; Main then stops the listener (and saves) before exiting.
using var sigInt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; done.Set(); });
using var sigTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; done.Set(); });
done.Wait();
if (saveOnExit && options.StatePath != null)
{
    emulator.Save();
    Console.WriteLine($"State saved to {options.StatePath}");
}
emulator.Stop();
Console.WriteLine("Stopped.");
return 0;
