using System;
using System.IO;
using System.Reflection;
using System.Management.Automation;
using RunCloud.PowerShell.Loader;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The module loader (src/RunCloud.PowerShell.Loader): which assembly each copy serves, which PowerShell it refuses,
    /// and the Windows PowerShell half of the dependency isolation, where bin/'s copy is handed out for exactly the
    /// assembly asked for. (The PowerShell 7 half, the module's load context, is tested end to end, through PowerShell's
    /// own module loading, in tests/pester/Isolation.Tests.ps1.)
    /// </summary>
    public sealed class ModuleLoaderTests : IDisposable
    {
        private readonly string _bin = Path.Combine(Path.GetTempPath(), "rc-deps-" + Guid.NewGuid().ToString("n"));
        private readonly Assembly _json = typeof(Newtonsoft.Json.JsonConvert).Assembly;

        public ModuleLoaderTests()
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
        /// The module's layout on a .NET Framework runtime, as Windows PowerShell loads it, in an AppDomain of its own whose
        /// base is a copy of the module folder: the cmdlets' assembly beside the manifest, the engine, the loader and
        /// Newtonsoft.Json in bin/. PowerShell loads the loader (the manifest's first nested module) with LoadFrom and runs
        /// its initializer, then loads the root module by path and reflects over its cmdlets, which need the engine: that
        /// request is answered from bin/, and the engine parses JSON with bin/'s copy.
        /// </summary>
        [Fact]
        public void OnDotNetFrameworkTheEngineAndItsDependencyComeFromBin()
        {
            string root = Path.Combine(Path.GetTempPath(), "rc-layout-" + Guid.NewGuid().ToString("n"));
            string bin = Path.Combine(root, "bin");
            Directory.CreateDirectory(bin);
            string here = Path.GetDirectoryName(typeof(ModuleLoaderTests).Assembly.Location)!;
            // PowerShell (in the GAC on Windows) and this test assembly sit at the domain's base, the cmdlets beside them.
            foreach (string dll in new[] { "System.Management.Automation.dll", "RunCloud.PowerShell.Tests.dll", "RunCloud.PowerShell.Commands.dll" })
            {
                File.Copy(Path.Combine(here, dll), Path.Combine(root, dll));
            }

            foreach (string dll in new[] { "RunCloud.PowerShell.dll", "RunCloud.PowerShell.Loader.dll" })
            {
                File.Copy(Path.Combine(here, dll), Path.Combine(bin, dll));
            }

            File.Copy(_json.Location, Path.Combine(bin, "Newtonsoft.Json.dll"));
            var domain = AppDomain.CreateDomain("rc-layout", null, new AppDomainSetup { ApplicationBase = root });
            try
            {
                domain.SetData("root", root);
                domain.DoCallBack(ImportThenParse);
                Assert.Null(domain.GetData("error"));
                Assert.Equal(Path.Combine(bin, "RunCloud.PowerShell.dll"), (string)domain.GetData("engine"));
                Assert.Equal(Path.Combine(bin, "Newtonsoft.Json.dll"), (string)domain.GetData("json"));
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
                // What Windows PowerShell does with the manifest: LoadFrom the nested module's path and run its initializer
                // (found through the interface, as PowerShell finds it), then LoadFrom the root module and reflect over its
                // types. PowerShell uses the module through reflection too: nothing in this domain binds to it at compile time.
                string root = (string)AppDomain.CurrentDomain.GetData("root");
                Assembly loader = Assembly.LoadFrom(Path.Combine(root, "bin", "RunCloud.PowerShell.Loader.dll"));
                var initializer = (IModuleAssemblyInitializer)Activator.CreateInstance(loader.GetType("RunCloud.PowerShell.Loader.ModuleInitializer", throwOnError: true)!)!;
                initializer.OnImport();
                Assembly cmdlets = Assembly.LoadFrom(Path.Combine(root, "RunCloud.PowerShell.Commands.dll"));
                Type getDomain = cmdlets.GetType("RunCloud.PowerShell.Commands.GetRunCloudDomainCommand", throwOnError: true)!;
                Assembly engine = getDomain.BaseType!.Assembly; // the cmdlet's base class is the engine's: resolved from bin/
                AppDomain.CurrentDomain.SetData("engine", engine.Location);

                const BindingFlags any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance;
                Type domainType = engine.GetType("RunCloud.PowerShell.Models.RunCloudDomain", throwOnError: true)!;
                MethodInfo fromJson = domainType.GetMethod("FromJson", any)!;
                Type jObject = fromJson.GetParameters()[0].ParameterType; // resolving it loads the module's Newtonsoft.Json
                AppDomain.CurrentDomain.SetData("json", jObject.Assembly.Location);
                object json = jObject.GetMethod("Parse", new[] { typeof(string) })!.Invoke(null, new object[] { "{\"id\":3001,\"name\":\"shop.example.com\",\"type\":\"alias\"}" })!;
                object domain = fromJson.Invoke(null, new object[] { json, 1001L, 2001L })!;
                AppDomain.CurrentDomain.SetData("id", (long)domainType.GetProperty("Id", any)!.GetValue(domain)!);
            }
            catch (Exception ex)
            {
                AppDomain.CurrentDomain.SetData("error", ex.ToString());
            }
        }
#endif

        [Fact]
        public void OnlyWindowsPowerShellsRuntimeGetsTheResolveHandler()
        {
#if NETFX_LANE
            Assert.False(ModuleInitializer.HasLoadContexts); // .NET Framework (here Mono): AssemblyResolve is the only hook
#else
            Assert.True(ModuleInitializer.HasLoadContexts); // .NET: the module's own load context instead
#endif
        }

        [Theory]
        [InlineData("RunCloud.PowerShell.Loader", "RunCloud.PowerShell")]
        [InlineData("RunCloud.PowerShell.Loader.0.1.0", "RunCloud.PowerShell")]
        [InlineData("RunCloud.Emulator.Loader.2.10.3", "RunCloud.Emulator")]
        public void EachModulesLoaderServesTheEngineItIsNamedAfter(string loader, string engine)
        {
            Assert.Equal(engine, ModuleInitializer.EngineNameOf(loader));
        }

        [Theory]
        [InlineData("RunCloud.PowerShell")]
        [InlineData(".Loader")]
        [InlineData("RunCloud.PowerShell.LoaderX")]
        public void ALoaderBuiltUnderAnotherNameSaysSoInsteadOfServingAGuess(string loader)
        {
            var error = Assert.Throws<InvalidOperationException>(() => ModuleInitializer.EngineNameOf(loader));
            Assert.Contains("Rebuild the module", error.Message);
        }

        [Fact]
        public void AProcessKeepsTheFirstCopyOfAModuleItLoads_AndNamesItToAnotherCopy()
        {
            // The cmdlets' assembly of a module, once loaded, cannot be replaced in the process: the first copy's folder is
            // noted; the same copy again (Import-Module -Force, another runspace) is fine; another copy is told which one
            // the process has. Each engine keeps its own note.
            string engine = "RunCloud.Test" + Guid.NewGuid().ToString("n");
            const string v1 = "/modules/0.1.0/bin", v2 = "/modules/0.2.0/bin";
            Assert.Null(LoadedReleases.Claim(engine, v1));
            Assert.Null(LoadedReleases.Claim(engine, v1));
            Assert.Equal(v1, LoadedReleases.Claim(engine, v2));
            Assert.Equal(v1, LoadedReleases.Claim(engine, v2));
            Assert.Null(LoadedReleases.Claim(engine + ".Other", v2));
        }

        [Theory]
        [InlineData("RunCloud.PowerShell", "RunCloud.PowerShell")]
        [InlineData("RunCloud.Emulator", "RunCloud.PowerShell.Emulator")]
        public void TheRefusalNamesTheModuleAsUsersImportIt(string engine, string module)
        {
            Assert.Equal(module, ModuleInitializer.ModuleNameOf(engine));
        }

#if !NETFX_LANE
        [Theory]
        [InlineData(10, System.Runtime.InteropServices.Architecture.X64, "linux", "net10.0-linux-x64")]
        [InlineData(8, System.Runtime.InteropServices.Architecture.Arm64, "osx", "net8.0-osx-arm64")]
        [InlineData(10, System.Runtime.InteropServices.Architecture.X64, "win", "net10.0-win-x64")]
        public void ThePrecompiledFolderIsNamedAfterTheDotNetMajorOsAndArchitecture_AsBuildPs1NamesIt(int major, System.Runtime.InteropServices.Architecture architecture, string os, string tag)
        {
            Assert.Equal(tag, ModuleLoadContext.PlatformTag(new Version(major, 0, 3), architecture, os));
        }

        [Fact]
        public void PrecompiledCopiesAreUsedOnlyForTheirOwnPlatform()
        {
            // bin/r2r/<tag>/ of this platform is taken; another platform's folder, or none, leaves bin/'s IL in use.
            Directory.CreateDirectory(Path.Combine(_bin, "r2r", "net10.0-linux-x64"));
            Assert.Equal(Path.Combine(_bin, "r2r", "net10.0-linux-x64"), ModuleLoadContext.ReadyToRunDirectory(_bin, "net10.0-linux-x64"));
            Assert.Null(ModuleLoadContext.ReadyToRunDirectory(_bin, "net8.0-linux-x64"));
            Assert.Null(ModuleLoadContext.ReadyToRunDirectory(_bin, "net10.0-win-arm64"));
        }
#endif
    }
}
