using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RunCloud.Emulator.Tls
{
    /// <summary>
    /// A certificate authority generated in memory for the emulator's TLS endpoint, and the certificates it issues.
    /// The emulator targets netstandard2.0 (one dll for Windows PowerShell 5.1 and PowerShell 7), whose reference assemblies
    /// lack CertificateRequest and CopyWithPrivateKey; both exist at run time on .NET Framework 4.7.2+ (System.Core) and on
    /// .NET Core 2.0+/.NET 5+, so they are reached by reflection here, in this one class. Extensions that netstandard2.0 lacks
    /// a builder for (subjectAltName) are DER-encoded by hand.
    /// </summary>
    public sealed class TestCertificateAuthority : IDisposable
    {
        private const string CertificateRequestType = "System.Security.Cryptography.X509Certificates.CertificateRequest";
        private const string RsaExtensionsType = "System.Security.Cryptography.X509Certificates.RSACertificateExtensions";
        private static readonly string[] CandidateAssemblies = { "System.Security.Cryptography", "System.Security.Cryptography.X509Certificates", "System.Core", "netstandard" };

        private readonly RSA _caKey;
        private readonly RSA _leafKey; // one key for every leaf: a certificate costs a signature, not a key generation
        private readonly X509Certificate2 _ca; // with its private key
        private readonly DateTimeOffset _caNotBefore, _caNotAfter;

        /// <summary>The authority's certificate (public part): trust it to validate the endpoint's chains.</summary>
        public X509Certificate2 Certificate { get; }

        /// <summary>The authority's certificate in PEM form.</summary>
        public string CertificatePem => ToPem(Certificate);

        public TestCertificateAuthority(string name = "RunCloud Emulator Test CA")
        {
            _caKey = RSA.Create();
            _caKey.KeySize = 2048;
            _leafKey = RSA.Create();
            _leafKey.KeySize = 2048;
            var now = DateTimeOffset.UtcNow;
            _caNotBefore = now.AddYears(-10);
            _caNotAfter = now.AddYears(10);
            var req = NewRequest("CN=" + name + ", O=RunCloud.PowerShell emulator", _caKey);
            var ext = Extensions(req);
            ext.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            ext.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
            ext.Add(new X509SubjectKeyIdentifierExtension(PublicKeyOf(req), false));
            _ca = Usable((X509Certificate2)Invoke(req, "CreateSelfSigned", new[] { typeof(DateTimeOffset), typeof(DateTimeOffset) }, _caNotBefore, _caNotAfter));
            Certificate = new X509Certificate2(_ca.RawData);
        }

        /// <summary>
        /// A server certificate for the names (subjectAltName dNSName entries; the first is also the CN), valid from notBefore
        /// to notAfter (kept within the authority's own validity), signed by this authority, with its private key.
        /// </summary>
        public X509Certificate2 Issue(IReadOnlyList<string> names, DateTime notBefore, DateTime notAfter)
        {
            if (names == null || names.Count == 0) throw new ArgumentException("A certificate needs at least one name.", nameof(names));
            var req = NewRequest("CN=" + names[0], _leafKey);
            var ext = Extensions(req);
            ext.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            ext.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            ext.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication") }, false));
            ext.Add(SubjectAltName(names));
            var from = Clamp(new DateTimeOffset(DateTime.SpecifyKind(notBefore, DateTimeKind.Utc)));
            var to = Clamp(new DateTimeOffset(DateTime.SpecifyKind(notAfter, DateTimeKind.Utc)));
            if (to <= from) to = from.AddSeconds(1);
            var serial = new byte[16];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(serial);
            serial[0] &= 0x7F;
            var pub = (X509Certificate2)Invoke(req, "Create", new[] { typeof(X509Certificate2), typeof(DateTimeOffset), typeof(DateTimeOffset), typeof(byte[]) }, _ca, from, to, serial);
            return Usable(WithPrivateKey(pub, _leafKey));
        }

        /// <summary>A self-signed certificate outside this authority (the endpoint's default for names it has no certificate for).</summary>
        public X509Certificate2 SelfSigned(string name)
        {
            var req = NewRequest("CN=" + name, _leafKey);
            var ext = Extensions(req);
            ext.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            ext.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication") }, false));
            ext.Add(SubjectAltName(new[] { name }));
            var now = DateTimeOffset.UtcNow;
            return Usable((X509Certificate2)Invoke(req, "CreateSelfSigned", new[] { typeof(DateTimeOffset), typeof(DateTimeOffset) }, now.AddDays(-1), now.AddYears(1)));
        }

        public void Dispose()
        {
            _ca.Dispose();
            Certificate.Dispose();
            _caKey.Dispose();
            _leafKey.Dispose();
        }

        public static string ToPem(X509Certificate2 cert)
        {
            var b64 = Convert.ToBase64String(cert.RawData);
            var sb = new StringBuilder("-----BEGIN CERTIFICATE-----\n");
            for (int i = 0; i < b64.Length; i += 64) sb.Append(b64, i, Math.Min(64, b64.Length - i)).Append('\n');
            return sb.Append("-----END CERTIFICATE-----\n").ToString();
        }

        // ---------- helpers ----------

        private DateTimeOffset Clamp(DateTimeOffset d) => d < _caNotBefore ? _caNotBefore : d > _caNotAfter ? _caNotAfter : d;

        /// <summary>On Windows, SChannel cannot use an ephemeral key: a PFX round trip gives the certificate a usable one.</summary>
        private static X509Certificate2 Usable(X509Certificate2 cert)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return cert;
            var pfx = cert.Export(X509ContentType.Pfx);
            cert.Dispose();
            return new X509Certificate2(pfx, (string?)null, X509KeyStorageFlags.Exportable);
        }

        private static Type FindType(string fullName)
        {
            foreach (var asm in CandidateAssemblies)
            {
                var t = Type.GetType(fullName + ", " + asm, false);
                if (t != null) return t;
            }
            foreach (var asm in AppDomain.CurrentDomain.GetAssemblies())
            {
                var t = asm.GetType(fullName, false);
                if (t != null) return t;
            }
            throw new PlatformNotSupportedException($"{fullName} is not available on this runtime: the emulator's TLS endpoint needs .NET Framework 4.7.2+ or .NET Core 2.0+.");
        }

        private static object NewRequest(string subject, RSA key)
        {
            var type = FindType(CertificateRequestType);
            var ctor = type.GetConstructor(new[] { typeof(X500DistinguishedName), typeof(RSA), typeof(HashAlgorithmName), typeof(RSASignaturePadding) })
                ?? throw new PlatformNotSupportedException("CertificateRequest(X500DistinguishedName, RSA, ...) was not found.");
            try
            {
                return ctor.Invoke(new object[] { new X500DistinguishedName(subject), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1 });
            }
            catch (TargetInvocationException ex) when (ex.InnerException is PlatformNotSupportedException || ex.InnerException is NotImplementedException)
            {
                // Mono declares CertificateRequest but does not implement it.
                throw new PlatformNotSupportedException("CertificateRequest is not implemented on this runtime (Mono): the emulator's TLS endpoint needs .NET Framework 4.7.2+ or .NET Core 2.0+.", ex.InnerException);
            }
        }

        private static Collection<X509Extension> Extensions(object request) =>
            (Collection<X509Extension>)request.GetType().GetProperty("CertificateExtensions")!.GetValue(request)!;

        private static PublicKey PublicKeyOf(object request) => (PublicKey)request.GetType().GetProperty("PublicKey")!.GetValue(request)!;

        private static object Invoke(object target, string method, Type[] types, params object[] args)
        {
            var m = target.GetType().GetMethod(method, types) ?? throw new PlatformNotSupportedException($"CertificateRequest.{method} was not found.");
            try { return m.Invoke(target, args)!; }
            catch (TargetInvocationException ex) when (ex.InnerException != null) { throw ex.InnerException; }
        }

        private static X509Certificate2 WithPrivateKey(X509Certificate2 cert, RSA key)
        {
            var m = FindType(RsaExtensionsType).GetMethod("CopyWithPrivateKey", new[] { typeof(X509Certificate2), typeof(RSA) })
                ?? throw new PlatformNotSupportedException("RSACertificateExtensions.CopyWithPrivateKey was not found.");
            try
            {
                var withKey = (X509Certificate2)m.Invoke(null, new object[] { cert, key })!;
                cert.Dispose();
                return withKey;
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null) { throw ex.InnerException; }
        }

        /// <summary>subjectAltName (2.5.29.17): SEQUENCE OF GeneralName, each a dNSName ([2] IA5String).</summary>
        private static X509Extension SubjectAltName(IEnumerable<string> names)
        {
            var body = new List<byte>();
            foreach (var n in names.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var ascii = Encoding.ASCII.GetBytes(n);
                body.Add(0x82);
                body.AddRange(DerLength(ascii.Length));
                body.AddRange(ascii);
            }
            var der = new List<byte> { 0x30 };
            der.AddRange(DerLength(body.Count));
            der.AddRange(body);
            return new X509Extension("2.5.29.17", der.ToArray(), false);
        }

        private static IEnumerable<byte> DerLength(int length)
        {
            if (length < 0x80) return new[] { (byte)length };
            var bytes = new List<byte>();
            for (var l = length; l > 0; l >>= 8) bytes.Insert(0, (byte)(l & 0xFF));
            bytes.Insert(0, (byte)(0x80 | bytes.Count));
            return bytes;
        }
    }
}
