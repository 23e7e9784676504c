package text
import ("testing";"math/rand";"time")
func TestHangProbe(t *testing.T){
	r:=rand.New(rand.NewSource(1))
	for i:=0;i<200000;i++{
		b:=make([]byte,r.Intn(300)); r.Read(b)
		st:=time.Now()
		DecodePacked(b,0)
		sept:=make([]byte,len(b)); for j,c:=range b{sept[j]=c&0x7f}
		s,_:=DecodeGSM7(sept)
		p,n,_:=EncodePacked(s)
		DecodePacked(p,n); DecodePacked(p,0)
		if time.Since(st)>time.Second{t.Fatalf("slow %x",b)}
	}
}
