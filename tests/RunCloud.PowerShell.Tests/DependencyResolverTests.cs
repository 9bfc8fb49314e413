using System;
using System.IO;
using System.Reflection;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The Windows PowerShell half of the dependency isolation: bin/'s copy is handed out for exactly the assembly
    /// asked for. (The PowerShell 7 half, the module's load context, is tested end to end in tests/pester/Isolation.Tests.ps1.)
    /// </summary>
    public sealed class DependencyResolverTests : IDisposable
    {
        private readonly string _bin = Path.Combine(Path.GetTempPath(), "rc-deps-" + Guid.NewGuid().ToString("n"));
        private readonly Assembly _json = typeof(Newtonsoft.Json.JsonConvert).Assembly;

        public DependencyResolverTests()
        {
            Directory.CreateDirectory(_bin);
            File.Copy(_json.Location, Path.Combine(_bin, "Newtonsoft.Json.dll"));
        }

        public void Dispose()
        {
            try { Directory.Delete(_bin, recursive: true); }
            catch (IOException) { /* still mapped on this runtime: the temp folder is cleaned later */ }
            catch (UnauthorizedAccessException) { }
        }

        [Fact]
        public void HandsOutBinsCopyForTheVersionAskedFor()
        {
            var found = DependencyResolver.Find(_json.GetName(), _bin);
            Assert.NotNull(found);
            Assert.Equal(_json.GetName().FullName, found!.GetName().FullName);
        }

        [Fact]
        public void LeavesAnotherVersionToWhoeverAskedForIt()
        {
            var other = new AssemblyName(_json.GetName().FullName) { Version = new Version(12, 0, 0, 0) };
            Assert.Null(DependencyResolver.Find(other, _bin));
        }

        [Fact]
        public void LeavesAnAssemblyItDoesNotShipAlone()
        {
            Assert.Null(DependencyResolver.Find(new AssemblyName("Some.Other.Library, Version=1.0.0.0"), _bin));
        }

        [Fact]
        public void OnlyWindowsPowerShellsRuntimeGetsTheResolveHandler()
        {
#if NETFX_LANE
            Assert.False(DependencyResolver.HasLoadContexts); // .NET Framework (here Mono): AssemblyResolve is the only hook
#else
            Assert.True(DependencyResolver.HasLoadContexts); // .NET: the module's psm1 uses its own load context instead
#endif
        }
    }
}
