using System;
using System.IO;
using System.Reflection;
using RunCloud.PowerShell.Hosting;
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
            var found = BinFolderResolver.Find(_json.GetName(), _bin);
            Assert.NotNull(found);
            Assert.Equal(_json.GetName().FullName, found!.GetName().FullName);
        }

        [Fact]
        public void LeavesAnotherVersionToWhoeverAskedForIt()
        {
            var other = new AssemblyName(_json.GetName().FullName) { Version = new Version(12, 0, 0, 0) };
            Assert.Null(BinFolderResolver.Find(other, _bin));
        }

        [Fact]
        public void OurOwnDependenciesMayTakeAHigherVersion_AsABindingRedirectWould()
        {
            // The database client asks for System.Buffers 4.0.2.0 while bin/ holds 4.0.3.0 (and the like): when the module or
            // one of bin/'s assemblies asks, bin/'s higher version is handed out; a lower one never, nor to anybody else.
            var older = new AssemblyName(_json.GetName().FullName) { Version = new Version(12, 0, 0, 0) };
            Assert.NotNull(BinFolderResolver.Find(older, _bin, fromOurs: true));
            var newer = new AssemblyName(_json.GetName().FullName) { Version = new Version(99, 0, 0, 0) };
            Assert.Null(BinFolderResolver.Find(newer, _bin, fromOurs: true));
            Assert.Null(BinFolderResolver.Find(older, _bin, fromOurs: false));
        }

        [Fact]
        public void LeavesAnAssemblyItDoesNotShipAlone()
        {
            Assert.Null(BinFolderResolver.Find(new AssemblyName("Some.Other.Library, Version=1.0.0.0"), _bin));
        }

#if NETFX_LANE
        /// <summary>
        /// The module's layout on a .NET Framework runtime, in an AppDomain of its own whose base is a copy of the module
        /// folder: RunCloud.PowerShell.dll at the root, Newtonsoft.Json only in bin/. Once OnImport has run (as
        /// Windows PowerShell runs it on Import-Module), the dll parses JSON with bin/'s copy.
        /// </summary>
        [Fact]
        public void OnDotNetFrameworkTheModuleFindsItsDependencyInBin()
        {
            string root = Path.Combine(Path.GetTempPath(), "rc-layout-" + Guid.NewGuid().ToString("n"));
            Directory.CreateDirectory(Path.Combine(root, "bin"));
            string here = Path.GetDirectoryName(typeof(DependencyResolverTests).Assembly.Location)!;
            foreach (string dll in new[] { "RunCloud.PowerShell.dll", "System.Management.Automation.dll", "RunCloud.PowerShell.Tests.dll" })
            {
                File.Copy(Path.Combine(here, dll), Path.Combine(root, dll));
            }

            File.Copy(_json.Location, Path.Combine(root, "bin", "Newtonsoft.Json.dll"));
            var domain = AppDomain.CreateDomain("rc-layout", null, new AppDomainSetup { ApplicationBase = root });
            try
            {
                domain.DoCallBack(ImportThenParse);
                Assert.Null(domain.GetData("error"));
                Assert.Equal(Path.Combine(root, "bin", "Newtonsoft.Json.dll"), (string)domain.GetData("json"));
                Assert.Equal(3001L, (long)domain.GetData("id"));
            }
            finally
            {
                AppDomain.Unload(domain);
                try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        private static void ImportThenParse()
        {
            try
            {
                new DependencyResolver().OnImport();
                Parse();
            }
            catch (Exception ex)
            {
                AppDomain.CurrentDomain.SetData("error", ex.ToString());
            }
        }

        // Not inlined: compiling it needs Newtonsoft.Json, which only OnImport's handler can find in this domain.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void Parse()
        {
            var domain = RunCloud.PowerShell.Models.RunCloudDomain.FromJson(
                Newtonsoft.Json.Linq.JObject.Parse("{\"id\":3001,\"name\":\"shop.example.com\",\"type\":\"alias\"}"), 1001, 2001);
            AppDomain.CurrentDomain.SetData("id", domain.Id);
            AppDomain.CurrentDomain.SetData("json", typeof(Newtonsoft.Json.Linq.JObject).Assembly.Location);
        }
#endif

        [Fact]
        public void OnlyWindowsPowerShellsRuntimeGetsTheResolveHandler()
        {
#if NETFX_LANE
            Assert.False(BinFolderResolver.HasLoadContexts); // .NET Framework (here Mono): AssemblyResolve is the only hook
#else
            Assert.True(BinFolderResolver.HasLoadContexts); // .NET: the module's psm1 uses its own load context instead
#endif
        }
    }
}
