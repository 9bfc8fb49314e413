using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RunCloud.PowerShell.Ssl;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>A custom certificate's chain goes in RunCloud's one certificate field: the server's certificate first, then each issuer.</summary>
    public class CertificateChainTests
    {
        private static readonly DateTimeOffset From = DateTimeOffset.UtcNow.AddDays(-1);
        private static readonly DateTimeOffset To = DateTimeOffset.UtcNow.AddDays(30);

        private static (X509Certificate2 Root, X509Certificate2 Intermediate, X509Certificate2 Leaf) Chain()
        {
            using RSA rootKey = RSA.Create(2048);
            var rootRequest = new CertificateRequest("CN=Test Root", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            X509Certificate2 root = rootRequest.CreateSelfSigned(From, To);

            using RSA intermediateKey = RSA.Create(2048);
            var intermediateRequest = new CertificateRequest("CN=Test Intermediate", intermediateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            X509Certificate2 intermediate = intermediateRequest.Create(root, From, To, new byte[] { 1, 2, 3, 4 }).CopyWithPrivateKey(intermediateKey);

            using RSA leafKey = RSA.Create(2048);
            var leafRequest = new CertificateRequest("CN=shop.example.com", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            X509Certificate2 leaf = leafRequest.Create(intermediate, From, To, new byte[] { 5, 6, 7, 8 });
            return (root, intermediate, leaf);
        }

        private static string Pem(params X509Certificate2[] certificates)
        {
            var text = new StringBuilder();
            foreach (X509Certificate2 c in certificates)
            {
                text.Append("-----BEGIN CERTIFICATE-----\n")
                    .Append(Convert.ToBase64String(c.RawData, Base64FormattingOptions.InsertLineBreaks))
                    .Append("\n-----END CERTIFICATE-----\n");
            }

            return text.ToString();
        }

        [Fact]
        public void TheServersCertificateFollowedByItsIssuersIsAccepted()
        {
            var (root, intermediate, leaf) = Chain();
            Assert.Null(CertificateChain.Check(Pem(leaf, intermediate)));
            Assert.Null(CertificateChain.Check(Pem(leaf, intermediate, root)));
            Assert.False(CertificateChain.LacksIntermediates(Pem(leaf, intermediate)));
        }

        [Fact]
        public void AChainInTheWrongOrderIsRefusedSayingWhichComesFirst()
        {
            var (root, intermediate, leaf) = Chain();
            string? caFirst = CertificateChain.Check(Pem(intermediate, leaf));
            Assert.NotNull(caFirst);
            Assert.Contains("server's certificate first", caFirst);
            string? gap = CertificateChain.Check(Pem(leaf, root));
            Assert.NotNull(gap);
            Assert.Contains("CN=Test Intermediate", gap);
        }

        [Fact]
        public void ALoneCertificateIssuedByACaLacksItsIntermediatesButASelfSignedOneDoesNot()
        {
            var (root, _, leaf) = Chain();
            Assert.Null(CertificateChain.Check(Pem(leaf)));
            Assert.True(CertificateChain.LacksIntermediates(Pem(leaf)));
            Assert.False(CertificateChain.LacksIntermediates(Pem(root)));
        }

        [Fact]
        public void APemBlockThatIsNoCertificateIsNamed()
        {
            string? problem = CertificateChain.Check("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----");
            Assert.NotNull(problem);
            Assert.Contains("not a certificate", problem);
        }
    }
}
